"""rewards: reward campaigns with budgets, members' progress (stamps), rewards given, purchases counted

Revision ID: rewards_coupons_0002
Revises: rewards_coupons_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "rewards_coupons_0002"
down_revision = "rewards_coupons_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rewards_campaigns",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=True),
        sa.Column("ends_at", UtcDateTime(), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("coupon_template_id", sa.String(40), nullable=True),
        sa.Column("funding_merchant_id", sa.String(40), nullable=True),
        sa.Column("budget_points", sa.BigInteger(), nullable=True),
        sa.Column("member_cap_points", sa.BigInteger(), nullable=True),
        sa.Column("threshold_fen", sa.BigInteger(), nullable=False),
        sa.Column("merchant_ids", sa.JSON(), nullable=False),
        sa.Column("stamps_needed", sa.Integer(), nullable=False),
        sa.Column("trades", sa.JSON(), nullable=False),
        sa.Column("birthday_rule", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("given_points", sa.BigInteger(), nullable=False),
        sa.Column("given_rewards", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "campaign_id", name="pk_rewards_campaigns"),
    )
    op.create_table(
        "rewards_campaign_members",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.Column("stamps", sa.JSON(), nullable=False),
        sa.Column("points_given", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "alliance_id", "campaign_id", "member_id", name="pk_rewards_campaign_members"
        ),
    )
    op.create_table(
        "rewards_campaign_grants",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.Column("coupon_id", sa.String(40), nullable=True),
        sa.Column("budget_out", sa.Boolean(), nullable=False),
        sa.Column("granted_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "alliance_id", "campaign_id", "member_id", "period", name="pk_rewards_campaign_grants"
        ),
    )
    op.create_table(
        "rewards_campaign_purchases",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("purchase_id", sa.String(40), nullable=False),
        sa.Column("counted_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "purchase_id", name="pk_rewards_campaign_purchases"),
    )


def downgrade() -> None:
    op.drop_table("rewards_campaign_purchases")
    op.drop_table("rewards_campaign_grants")
    op.drop_table("rewards_campaign_members")
    op.drop_table("rewards_campaigns")
