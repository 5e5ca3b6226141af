"""Reward campaign tables: campaigns with their budget, each member's progress, rewards given."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Integer, String, Table

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

reward_campaigns = Table(
    "rewards_campaigns",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("campaign_id", String(40), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("starts_at", UtcDateTime, nullable=True),
    Column("ends_at", UtcDateTime, nullable=True),
    Column("points", BigInteger, nullable=False),
    Column("coupon_template_id", String(40), nullable=True),
    Column("funding_merchant_id", String(40), nullable=True),
    Column("budget_points", BigInteger, nullable=True),
    Column("member_cap_points", BigInteger, nullable=True),
    Column("threshold_fen", BigInteger, nullable=False),
    Column("merchant_ids", JSON, nullable=False),
    Column("stamps_needed", Integer, nullable=False),
    Column("trades", JSON, nullable=False),
    Column("birthday_rule", String(8), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("given_points", BigInteger, nullable=False),  # conditional update: never above the budget
    Column("given_rewards", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
)

# One row per member and campaign: spending so far, stamps collected, points given (the cap).
reward_campaign_members = Table(
    "rewards_campaign_members",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("campaign_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("spent_fen", BigInteger, nullable=False),
    Column("stamps", JSON, nullable=False),  # [[stamp, purchase_id, at], ...]
    Column("points_given", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# A reward given: once per member, campaign and period (the primary key makes it idempotent).
reward_campaign_grants = Table(
    "rewards_campaign_grants",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("campaign_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("points", BigInteger, nullable=False),
    Column("entry_id", String(40), nullable=True),
    Column("coupon_id", String(40), nullable=True),
    Column("budget_out", Boolean, nullable=False),  # the budget had run out: no points given
    Column("granted_at", UtcDateTime, nullable=False),
)

# Purchases a campaign has counted (a purchase event heard twice counts once).
reward_campaign_purchases = Table(
    "rewards_campaign_purchases",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("purchase_id", String(40), primary_key=True),
    Column("counted_at", UtcDateTime, nullable=False),
)
