"""insights: daily rollups, first purchases, reported daily totals, the refresh cursor

Revision ID: insights_rollups_0002
Revises: insights_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "insights_rollups_0002"
down_revision = "insights_0001"
branch_labels = None
depends_on = None

ID = 40


def _counts(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "insights_member_days",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("store_id", sa.String(ID), nullable=False),
        *_counts("orders", "sales_fen", "items", "item_orders", "points"),
        sa.PrimaryKeyConstraint(
            "alliance_id", "day", "member_id", "merchant_id", "store_id", name="pk_insights_member_days"
        ),
    )
    op.create_index(
        "ix_insights_member_days_member", "insights_member_days", ["alliance_id", "member_id", "day"]
    )
    op.create_table(
        "insights_store_days",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("store_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        *_counts(
            "member_orders", "member_sales_fen", "other_orders", "other_sales_fen", "items", "item_orders"
        ),
        sa.Column("reports_all_sales", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "day", "store_id", name="pk_insights_store_days"),
    )
    op.create_table(
        "insights_first_purchases",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("store_id", sa.String(ID), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "member_id", name="pk_insights_first_purchases"),
    )
    op.create_index("ix_insights_first_purchases_day", "insights_first_purchases", ["alliance_id", "day"])
    op.create_table(
        "insights_daily_totals",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("store_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        *_counts("orders", "sales_fen"),
        sa.Column("items", sa.BigInteger(), nullable=True),
        sa.Column("reported_at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "day", "store_id", name="pk_insights_daily_totals"),
    )
    op.create_table(
        "insights_cursors",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("last_event_id", sa.String(ID), nullable=False),
        sa.Column("refreshed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", name="pk_insights_cursors"),
    )


def downgrade() -> None:
    for name in (
        "insights_cursors",
        "insights_daily_totals",
        "insights_first_purchases",
        "insights_store_days",
    ):
        op.drop_table(name)
    op.drop_index("ix_insights_member_days_member", "insights_member_days")
    op.drop_table("insights_member_days")
