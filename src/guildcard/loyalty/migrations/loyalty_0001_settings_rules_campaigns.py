"""loyalty: settings per alliance, merchant earn rules with history, campaigns

Revision ID: loyalty_0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "loyalty_0001"
down_revision = None
branch_labels = ("loyalty",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loyalty_settings",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("redeem_points_per_yuan", sa.Integer(), nullable=False),
        sa.Column("max_redeem_share", sa.String(32), nullable=False),
        sa.Column("min_order_for_redeem_fen", sa.BigInteger(), nullable=False),
        sa.Column("only_members_earn", sa.Boolean(), nullable=False),
        sa.Column("pending_days", sa.Integer(), nullable=False),
        sa.Column("growth_per_yuan", sa.String(32), nullable=False),
        sa.Column("min_points_per_yuan", sa.String(32), nullable=False),
        sa.Column("max_points_per_yuan", sa.String(32), nullable=False),
        sa.Column("max_category_multiplier", sa.String(32), nullable=False),
        sa.Column("transaction_cap", sa.BigInteger(), nullable=True),
        sa.Column("daily_cap", sa.BigInteger(), nullable=True),
        sa.Column("backfill_window_days", sa.Integer(), nullable=False),
        sa.Column("backfill_approval_threshold_fen", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", name="pk_loyalty_settings"),
    )
    op.create_table(
        "loyalty_merchant_rules",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("effective_from", UtcDateTime(), nullable=False),
        sa.Column("category_multipliers", sa.JSON(), nullable=False),
        sa.Column("transaction_cap", sa.BigInteger(), nullable=True),
        sa.Column("daily_cap", sa.BigInteger(), nullable=True),
        sa.Column("min_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint(
            "alliance_id", "merchant_id", "effective_from", name="pk_loyalty_merchant_rules"
        ),
    )
    op.create_table(
        "loyalty_campaigns",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("multiplier", sa.String(32), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=True),
        sa.Column("ends_at", UtcDateTime(), nullable=True),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("time_from", sa.String(8), nullable=True),
        sa.Column("time_to", sa.String(8), nullable=True),
        sa.Column("merchant_ids", sa.JSON(), nullable=False),
        sa.Column("trade_categories", sa.JSON(), nullable=False),
        sa.Column("members_only", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("ended_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "campaign_id", name="pk_loyalty_campaigns"),
    )
    op.create_index(
        "ix_loyalty_campaigns_alliance_id_ends_at", "loyalty_campaigns", ["alliance_id", "ends_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_loyalty_campaigns_alliance_id_ends_at", table_name="loyalty_campaigns")
    op.drop_table("loyalty_campaigns")
    op.drop_table("loyalty_merchant_rules")
    op.drop_table("loyalty_settings")
