"""loyalty: tier designs, members' tiers, the tier log, upgrade gifts given

Revision ID: loyalty_tiers_0001
Revises: loyalty_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "loyalty_tiers_0001"
down_revision = "loyalty_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loyalty_tier_schemes",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("scheme", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", name="pk_loyalty_tier_schemes"),
    )
    op.create_table(
        "loyalty_member_tiers",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("growth_tier", sa.String(32), nullable=False),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.Column("promoted_by", sa.String(40), nullable=True),
        sa.Column("grace_until", UtcDateTime(), nullable=True),
        sa.Column("floor_tier", sa.String(32), nullable=True),
        sa.Column("floor_ends_at", UtcDateTime(), nullable=True),
        sa.Column("floor_reason", sa.String(200), nullable=False),
        sa.Column("card_tier", sa.String(32), nullable=True),
        sa.Column("card_ends_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "member_id", name="pk_loyalty_member_tiers"),
    )
    op.create_index(
        "ix_loyalty_member_tiers_alliance_id_tier", "loyalty_member_tiers", ["alliance_id", "tier"]
    )
    op.create_table(
        "loyalty_tier_log",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("from_tier", sa.String(32), nullable=False),
        sa.Column("to_tier", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(60), nullable=True),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("actor_id", sa.String(40), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_loyalty_tier_log"),
    )
    op.create_index(
        "ix_loyalty_tier_log_alliance_id_member_id_at", "loyalty_tier_log", ["alliance_id", "member_id", "at"]
    )
    op.create_table(
        "loyalty_tier_gifts",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("tier_code", sa.String(32), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.Column("given_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "member_id", "tier_code", name="pk_loyalty_tier_gifts"),
    )


def downgrade() -> None:
    op.drop_table("loyalty_tier_gifts")
    op.drop_index("ix_loyalty_tier_log_alliance_id_member_id_at", table_name="loyalty_tier_log")
    op.drop_table("loyalty_tier_log")
    op.drop_index("ix_loyalty_member_tiers_alliance_id_tier", table_name="loyalty_member_tiers")
    op.drop_table("loyalty_member_tiers")
    op.drop_table("loyalty_tier_schemes")
