"""insights: item counts of member purchases; non-member (walk-in) sales

Revision ID: insights_sales_0004
Revises: insights_segments_0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "insights_sales_0004"
down_revision = "insights_segments_0003"
branch_labels = None
depends_on = None

ID = 40


def upgrade() -> None:
    op.create_table(
        "insights_purchase_items",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("purchase_id", sa.String(ID), nullable=False),
        sa.Column("items", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "purchase_id", name="pk_insights_purchase_items"),
    )
    op.create_table(
        "insights_walk_in_sales",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("sale_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("store_id", sa.String(ID), nullable=False),
        sa.Column("order_no", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "sale_id", name="pk_insights_walk_in_sales"),
    )
    op.create_index(
        "uq_insights_walk_in_order",
        "insights_walk_in_sales",
        ["alliance_id", "merchant_id", "order_no"],
        unique=True,
    )
    op.create_index("ix_insights_walk_in_time", "insights_walk_in_sales", ["alliance_id", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_insights_walk_in_time", "insights_walk_in_sales")
    op.drop_index("uq_insights_walk_in_order", "insights_walk_in_sales")
    op.drop_table("insights_walk_in_sales")
    op.drop_table("insights_purchase_items")
