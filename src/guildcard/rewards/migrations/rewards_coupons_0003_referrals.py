"""rewards: referral settings, invitation codes, referrals

Revision ID: rewards_coupons_0003
Revises: rewards_coupons_0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "rewards_coupons_0003"
down_revision = "rewards_coupons_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rewards_referral_settings",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("trigger", sa.String(24), nullable=False),
        sa.Column("inviter_points", sa.BigInteger(), nullable=False),
        sa.Column("invitee_points", sa.BigInteger(), nullable=False),
        sa.Column("inviter_template_id", sa.String(40), nullable=True),
        sa.Column("invitee_template_id", sa.String(40), nullable=True),
        sa.Column("hold_days", sa.Integer(), nullable=False),
        sa.Column("monthly_cap", sa.Integer(), nullable=False),
        sa.Column("burst_count", sa.Integer(), nullable=False),
        sa.Column("idle_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", name="pk_rewards_referral_settings"),
    )
    op.create_table(
        "rewards_invitations",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "member_id", name="pk_rewards_invitations"),
        sa.UniqueConstraint("alliance_id", "code", name="uq_rewards_invitations_code"),
    )
    op.create_table(
        "rewards_referrals",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("invitee_id", sa.String(40), nullable=False),
        sa.Column("inviter_id", sa.String(40), nullable=False),
        sa.Column("bound_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("purchase_id", sa.String(40), nullable=True),
        sa.Column("pending_until", UtcDateTime(), nullable=True),
        sa.Column("rewarded_at", UtcDateTime(), nullable=True),
        sa.Column("reward_month", sa.String(7), nullable=True),
        sa.Column("inviter_points", sa.BigInteger(), nullable=False),
        sa.Column("invitee_points", sa.BigInteger(), nullable=False),
        sa.Column("entry_ids", sa.JSON(), nullable=False),
        sa.Column("coupon_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "invitee_id", name="pk_rewards_referrals"),
    )
    op.create_index(
        "ix_rewards_referrals_inviter", "rewards_referrals", ["alliance_id", "inviter_id", "bound_at"]
    )
    op.create_index(
        "ix_rewards_referrals_due", "rewards_referrals", ["alliance_id", "state", "pending_until"]
    )
    op.create_index("ix_rewards_referrals_purchase", "rewards_referrals", ["alliance_id", "purchase_id"])


def downgrade() -> None:
    op.drop_index("ix_rewards_referrals_purchase", table_name="rewards_referrals")
    op.drop_index("ix_rewards_referrals_due", table_name="rewards_referrals")
    op.drop_index("ix_rewards_referrals_inviter", table_name="rewards_referrals")
    op.drop_table("rewards_referrals")
    op.drop_table("rewards_invitations")
    op.drop_table("rewards_referral_settings")
