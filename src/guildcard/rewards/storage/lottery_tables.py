"""Lottery tables: campaigns (with their commitment), live prize stock, per-member counters, draws."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table, Text

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

lottery_campaigns = Table(
    "rewards_lottery_campaigns",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("cost_points", BigInteger, nullable=False),
    Column("free_per_day", Integer, nullable=False),
    Column("per_day_limit", Integer, nullable=True),
    Column("total_limit", Integer, nullable=True),
    Column("tiers", JSON, nullable=False),
    Column("budget_points", BigInteger, nullable=True),  # None: no budget
    Column("spent_points", BigInteger, nullable=False),  # taken only by a conditional UPDATE
    Column("draws_per_purchase", Integer, nullable=False, server_default="0"),  # 0: none earned
    Column("purchase_min_fen", BigInteger, nullable=False, server_default="0"),
    Column("prize_table", JSON, nullable=False),  # as published (initial stocks)
    Column("table_hash", String(64), nullable=False),
    Column("commitment", String(64), nullable=False),
    Column("sealed_seed", Text, nullable=False),  # the secret seed, sealed until the end
    Column("revealed_seed", String(64), nullable=True),
    Column("revealed_at", UtcDateTime, nullable=True),
    Column("public_key", String(64), nullable=False),  # signs the draw records
    Column("created_at", UtcDateTime, nullable=False),
)

lottery_prizes = Table(
    "rewards_lottery_prizes",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("campaign_id", String(40), primary_key=True),
    Column("prize_id", String(16), primary_key=True),
    Column("stock", BigInteger, nullable=True),  # None: unlimited
    Column("won", BigInteger, nullable=False),
)

# One row per member and campaign: an upsert that adds one returns the draw number n, so a
# member's draws are numbered 1, 2, 3... with no gap and no repeat, even at once.
lottery_entries = Table(
    "rewards_lottery_entries",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("campaign_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("draws", Integer, nullable=False),
    Column("day", String(10), nullable=False),
    Column("draws_today", Integer, nullable=False),
    Column("earned", Integer, nullable=False),  # draws earned by purchases, not yet used
)

lottery_draws = Table(
    "rewards_lottery_draws",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("campaign_id", String(40), nullable=False),
    Column("member_id", String(40), nullable=False),
    Column("n", Integer, nullable=False),
    Column("random_hex", String(64), nullable=False),
    Column("chosen", String(16), nullable=False),
    Column("awarded", String(16), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("stock_before", BigInteger, nullable=True),
    Column("cost_points", BigInteger, nullable=False),
    Column("drawn_at", String(40), nullable=False),  # ISO text: exactly what was signed
    Column("signature", String(128), nullable=False),
    Column("entry_id", String(40), nullable=True),  # the prize's ledger entry
    # The coupon or mall order a coupon / mall-item prize became (not signed: given after the draw's
    # numbers, in the same transaction; the member's "my prizes" links to it).
    Column("issued", String(40), nullable=True),
    Index("uq_rewards_lottery_draws_number", "alliance_id", "campaign_id", "member_id", "n", unique=True),
    Index("ix_rewards_lottery_draws_campaign", "alliance_id", "campaign_id", "drawn_at"),
)
