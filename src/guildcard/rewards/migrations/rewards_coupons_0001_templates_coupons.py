"""rewards: coupon templates, per-member holdings, issued coupons, bulk issue jobs

Revision ID: rewards_coupons_0001
Revises: rewards_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "rewards_coupons_0001"
down_revision = "rewards_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rewards_coupon_templates",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("template_id", sa.String(40), nullable=False),
        sa.Column("issuer_merchant_id", sa.String(40), nullable=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("per_member_limit", sa.Integer(), nullable=False),
        sa.Column("claim_from", UtcDateTime(), nullable=True),
        sa.Column("claim_until", UtcDateTime(), nullable=True),
        sa.Column("use_from", UtcDateTime(), nullable=True),
        sa.Column("use_until", UtcDateTime(), nullable=True),
        sa.Column("valid_days", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("ways", sa.JSON(), nullable=False),
        sa.Column("points_price", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(400), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("taken", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.Column("cost_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "template_id", name="pk_rewards_coupon_templates"),
    )
    op.create_index(
        "ix_rewards_coupon_templates_issuer",
        "rewards_coupon_templates",
        ["alliance_id", "issuer_merchant_id"],
    )
    op.create_table(
        "rewards_coupon_holdings",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("template_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "template_id", "member_id", name="pk_rewards_coupon_holdings"),
    )
    op.create_table(
        "rewards_coupons",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("coupon_id", sa.String(40), nullable=False),
        sa.Column("code", sa.String(24), nullable=False),
        sa.Column("template_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("claim_key", sa.String(160), nullable=True),
        sa.Column("valid_from", UtcDateTime(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=False),
        sa.Column("claimed_at", UtcDateTime(), nullable=False),
        sa.Column("from_coupon_id", sa.String(40), nullable=True),
        sa.Column("purchase_id", sa.String(40), nullable=True),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("used_merchant_id", sa.String(40), nullable=True),
        sa.Column("used_store_id", sa.String(40), nullable=True),
        sa.Column("discount_fen", sa.BigInteger(), nullable=False),
        sa.Column("funding_entry_id", sa.String(40), nullable=True),
        sa.Column("points_entry_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "coupon_id", name="pk_rewards_coupons"),
        sa.UniqueConstraint("alliance_id", "code", name="uq_rewards_coupons_code"),
        sa.UniqueConstraint("alliance_id", "claim_key", name="uq_rewards_coupons_claim_key"),
    )
    op.create_index("ix_rewards_coupons_member", "rewards_coupons", ["alliance_id", "member_id", "state"])
    op.create_index("ix_rewards_coupons_template", "rewards_coupons", ["alliance_id", "template_id"])
    op.create_index("ix_rewards_coupons_purchase", "rewards_coupons", ["alliance_id", "purchase_id"])
    op.create_table(
        "rewards_coupon_issue_jobs",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("template_id", sa.String(40), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "job_id", name="pk_rewards_coupon_issue_jobs"),
    )


def downgrade() -> None:
    op.drop_table("rewards_coupon_issue_jobs")
    op.drop_index("ix_rewards_coupons_purchase", table_name="rewards_coupons")
    op.drop_index("ix_rewards_coupons_template", table_name="rewards_coupons")
    op.drop_index("ix_rewards_coupons_member", table_name="rewards_coupons")
    op.drop_table("rewards_coupons")
    op.drop_table("rewards_coupon_holdings")
    op.drop_index("ix_rewards_coupon_templates_issuer", table_name="rewards_coupon_templates")
    op.drop_table("rewards_coupon_templates")
