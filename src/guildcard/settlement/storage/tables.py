"""Settlement's tables. Closed runs, statements and lines are written once and never change."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Integer, String, Table

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

ID = 40
KEY = 16

settings = Table(
    "settlement_settings",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("breakage_mode", String(24), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

limits = Table(
    "settlement_limits",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), primary_key=True),
    Column("period_kind", String(8), nullable=False),
    Column("limit_points", BigInteger, nullable=False),
    Column("mode", String(8), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One row per closed period: which checkpoint it settled up to, in which order it closed.
# An entry belongs to the first run (by close_seq) with occurred_at < ends_at and its
# checkpoint seq <= checkpoint_seq.
runs = Table(
    "settlement_runs",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("period_key", String(KEY), primary_key=True),
    Column("period_kind", String(8), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("close_seq", Integer, nullable=False),
    Column("checkpoint_seq", Integer, nullable=False),
    Column("checkpoint_root", String(64), nullable=False),
    Column("breakage_mode", String(24), nullable=False),
    Column("closed_at", UtcDateTime, nullable=False),
)

statements = Table(
    "settlement_statements",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("period_key", String(KEY), primary_key=True),
    Column("merchant_id", String(ID), primary_key=True),
    Column("merchant_name", String(200), nullable=False),
    Column("points_issued", BigInteger, nullable=False),
    Column("points_redeemed", BigInteger, nullable=False),
    Column("redemptions", BigInteger, nullable=False),
    Column("member_sales", BigInteger, nullable=False),
    Column("issue_value", BigInteger, nullable=False),
    Column("reimbursement", BigInteger, nullable=False),
    Column("grant_funded", BigInteger, nullable=False),
    Column("commission", BigInteger, nullable=False),
    Column("redemption_fees", BigInteger, nullable=False),
    Column("entry_fees", BigInteger, nullable=False),
    Column("breakage_points", BigInteger, nullable=False),
    Column("breakage_share", BigInteger, nullable=False),
    Column("direct", BigInteger, nullable=False, server_default="0"),  # settlement_direct_0001
    Column("net", BigInteger, nullable=False),
    Column("ledger_entry_id", String(ID), nullable=True),
    Column("closed_at", UtcDateTime, nullable=False),
)

lines = Table(
    "settlement_lines",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("period_key", String(KEY), primary_key=True),
    Column("merchant_id", String(ID), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("component", String(24), nullable=False),
    Column("terms_version", String(ID), nullable=False),
    Column("corrects", String(KEY), nullable=True),
    Column("quantity", BigInteger, nullable=False),
    Column("unit_price", String(40), nullable=False),  # a Decimal, exactly as priced
    Column("amount", BigInteger, nullable=False),
    Column("in_net", Boolean, nullable=False),
    Column("kind", String(40), nullable=False, server_default=""),  # direct lines (settlement_direct_0001)
)

# Member sales already settled (the counter owns the purchases; we remember which we took).
sales = Table(
    "settlement_sales",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("sale_id", String(ID), primary_key=True),
    Column("period_key", String(KEY), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("amount", BigInteger, nullable=False),
)

# Entry fees charged: once per merchant and contract version.
entry_fees = Table(
    "settlement_entry_fees",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), primary_key=True),
    Column("terms_version", String(ID), primary_key=True),
    Column("period_key", String(KEY), nullable=False),
)
