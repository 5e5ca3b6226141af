"""Insights' tables. Keys are led by ``alliance_id``; rollups by (alliance, day) so a day is one range."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Index, PrimaryKeyConstraint, String, Table

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

ID = 40


def _counts(*names: str) -> list[Column[int]]:
    return [Column(name, BigInteger, nullable=False) for name in names]


member_days = Table(
    "insights_member_days",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("day", Date, nullable=False),
    Column("member_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("store_id", String(ID), nullable=False),
    *_counts("orders", "sales_fen", "items", "item_orders", "points"),
    PrimaryKeyConstraint(
        "alliance_id", "day", "member_id", "merchant_id", "store_id", name="pk_insights_member_days"
    ),
    Index("ix_insights_member_days_member", "alliance_id", "member_id", "day"),
)

store_days = Table(
    "insights_store_days",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("day", Date, nullable=False),
    Column("store_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    *_counts("member_orders", "member_sales_fen", "other_orders", "other_sales_fen", "items", "item_orders"),
    Column("reports_all_sales", Boolean, nullable=False),
    PrimaryKeyConstraint("alliance_id", "day", "store_id", name="pk_insights_store_days"),
)

# The daily member rows summed per calendar month (``month_start`` = its first day), kept with
# the daily ones (``RollupRepository.refresh_months``): trend, cohorts, RFM and co-visitation read
# one row per member-month instead of one per member-day. Only rows with orders count, as every
# reader counts them. A member's purchase days across merchants are not the sum of their days at
# each merchant (two merchants on one day), hence two tables.
member_months = Table(
    "insights_member_months",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("month_start", Date, nullable=False),
    Column("member_id", String(ID), nullable=False),
    *_counts("purchase_days", "orders", "sales_fen"),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    PrimaryKeyConstraint("alliance_id", "month_start", "member_id", name="pk_insights_member_months"),
)

member_merchant_months = Table(
    "insights_member_merchant_months",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("month_start", Date, nullable=False),
    Column("member_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    *_counts("purchase_days", "orders", "sales_fen", "points"),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    PrimaryKeyConstraint(
        "alliance_id", "month_start", "member_id", "merchant_id", name="pk_insights_member_merchant_months"
    ),
)

# A member's first purchase in the alliance: where the alliance acquired them (cohorts, 引流).
first_purchases = Table(
    "insights_first_purchases",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("member_id", String(ID), nullable=False),
    Column("day", Date, nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("store_id", String(ID), nullable=False),
    PrimaryKeyConstraint("alliance_id", "member_id", name="pk_insights_first_purchases"),
    Index("ix_insights_first_purchases_day", "alliance_id", "day"),
)

# What a store reports for a whole day (a POS Z-report): every transaction, members' included.
daily_totals = Table(
    "insights_daily_totals",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("day", Date, nullable=False),
    Column("store_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    *_counts("orders", "sales_fen"),
    Column("items", BigInteger, nullable=True),
    Column("reported_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    PrimaryKeyConstraint("alliance_id", "day", "store_id", name="pk_insights_daily_totals"),
)

# How far the rollups have read the outbox.
cursors = Table(
    "insights_cursors",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("last_event_id", String(ID), nullable=False),
    Column("refreshed_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("alliance_id", name="pk_insights_cursors"),
)

tags = Table(
    "insights_tags",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("tag_id", String(ID), nullable=False),
    Column("name", String(50), nullable=False),
    Column("rule", String(500), nullable=True),  # None: a tag put on by hand
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("alliance_id", "tag_id", name="pk_insights_tags"),
)

member_tags = Table(
    "insights_member_tags",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("tag_id", String(ID), nullable=False),
    Column("member_id", String(ID), nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    PrimaryKeyConstraint("alliance_id", "tag_id", "member_id", name="pk_insights_member_tags"),
    Index("ix_insights_member_tags_member", "alliance_id", "member_id"),
)

segments = Table(
    "insights_segments",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("segment_id", String(ID), nullable=False),
    Column("name", String(50), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    PrimaryKeyConstraint("alliance_id", "segment_id", name="pk_insights_segments"),
    Index("ix_insights_segments_id", "segment_id"),  # members_in_segment finds it by id (ids are unique)
)

# The item count a POS sent with a member purchase (from the counter's event).
purchase_items = Table(
    "insights_purchase_items",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("purchase_id", String(ID), nullable=False),
    Column("items", BigInteger, nullable=False),
    PrimaryKeyConstraint("alliance_id", "purchase_id", name="pk_insights_purchase_items"),
)

# A non-member purchase (no member, no points): what member sales share and conversion need.
walk_in_sales = Table(
    "insights_walk_in_sales",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("sale_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("store_id", String(ID), nullable=False),
    Column("order_no", String(64), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("items", BigInteger, nullable=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    PrimaryKeyConstraint("alliance_id", "sale_id", name="pk_insights_walk_in_sales"),
    Index("uq_insights_walk_in_order", "alliance_id", "merchant_id", "order_no", unique=True),
    Index("ix_insights_walk_in_time", "alliance_id", "occurred_at"),
)
