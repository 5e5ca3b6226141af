"""rewards: daily check-in (rules per alliance, one row per member and Shanghai day)

Revision ID: rewards_mall_0002
Revises: rewards_mall_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "rewards_mall_0002"
down_revision = "rewards_mall_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rewards_checkin_rules",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", name="pk_rewards_checkin_rules"),
    )
    op.create_table(
        "rewards_checkins",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("makeup", sa.Boolean(), nullable=False),
        sa.Column("makeup_cost", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "member_id", "day", name="pk_rewards_checkins"),
    )


def downgrade() -> None:
    op.drop_table("rewards_checkins")
    op.drop_table("rewards_checkin_rules")
