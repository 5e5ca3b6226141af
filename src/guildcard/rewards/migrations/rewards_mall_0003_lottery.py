"""rewards: the provably fair lottery (campaigns with commitments, prize stock, counters, draws)

Revision ID: rewards_mall_0003
Revises: rewards_mall_0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "rewards_mall_0003"
down_revision = "rewards_mall_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rewards_lottery_campaigns",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("cost_points", sa.BigInteger(), nullable=False),
        sa.Column("free_per_day", sa.Integer(), nullable=False),
        sa.Column("per_day_limit", sa.Integer(), nullable=True),
        sa.Column("total_limit", sa.Integer(), nullable=True),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("budget_points", sa.BigInteger(), nullable=True),
        sa.Column("spent_points", sa.BigInteger(), nullable=False),
        sa.Column("prize_table", sa.JSON(), nullable=False),
        sa.Column("table_hash", sa.String(64), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("sealed_seed", sa.Text(), nullable=False),
        sa.Column("revealed_seed", sa.String(64), nullable=True),
        sa.Column("revealed_at", UtcDateTime(), nullable=True),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_rewards_lottery_campaigns"),
    )
    op.create_table(
        "rewards_lottery_prizes",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("prize_id", sa.String(16), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=True),
        sa.Column("won", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "campaign_id", "prize_id", name="pk_rewards_lottery_prizes"),
    )
    op.create_table(
        "rewards_lottery_entries",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("draws", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("draws_today", sa.Integer(), nullable=False),
        sa.Column("earned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "campaign_id", "member_id", name="pk_rewards_lottery_entries"),
    )
    op.create_table(
        "rewards_lottery_draws",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("random_hex", sa.String(64), nullable=False),
        sa.Column("chosen", sa.String(16), nullable=False),
        sa.Column("awarded", sa.String(16), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("stock_before", sa.BigInteger(), nullable=True),
        sa.Column("cost_points", sa.BigInteger(), nullable=False),
        sa.Column("drawn_at", sa.String(40), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_rewards_lottery_draws"),
    )
    op.create_index(
        "uq_rewards_lottery_draws_number",
        "rewards_lottery_draws",
        ["alliance_id", "campaign_id", "member_id", "n"],
        unique=True,
    )
    op.create_index(
        "ix_rewards_lottery_draws_campaign",
        "rewards_lottery_draws",
        ["alliance_id", "campaign_id", "drawn_at"],
    )


def downgrade() -> None:
    for name in (
        "rewards_lottery_draws",
        "rewards_lottery_entries",
        "rewards_lottery_prizes",
        "rewards_lottery_campaigns",
    ):
        op.drop_table(name)
