"""loyalty: paid member cards: plans, members' cards, activation-code batches and codes

Revision ID: loyalty_tiers_0003
Revises: loyalty_tiers_0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "loyalty_tiers_0003"
down_revision = "loyalty_tiers_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loyalty_card_plans",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("plan_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("tier_code", sa.String(32), nullable=True),
        sa.Column("benefits_text", sa.String(500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "plan_id", name="pk_loyalty_card_plans"),
    )
    op.create_table(
        "loyalty_member_cards",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("card_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("plan_id", sa.String(40), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=True),
        sa.Column("code", sa.String(20), nullable=True),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "card_id", name="pk_loyalty_member_cards"),
    )
    op.create_index(
        "ix_loyalty_member_cards_alliance_id_member_id", "loyalty_member_cards", ["alliance_id", "member_id"]
    )
    op.create_table(
        "loyalty_card_batches",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("plan_id", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "batch_id", name="pk_loyalty_card_batches"),
    )
    op.create_table(
        "loyalty_card_codes",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_by", sa.String(40), nullable=True),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "code", name="pk_loyalty_card_codes"),
    )
    op.create_index(
        "ix_loyalty_card_codes_alliance_id_batch_id", "loyalty_card_codes", ["alliance_id", "batch_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_loyalty_card_codes_alliance_id_batch_id", table_name="loyalty_card_codes")
    op.drop_table("loyalty_card_codes")
    op.drop_table("loyalty_card_batches")
    op.drop_index("ix_loyalty_member_cards_alliance_id_member_id", table_name="loyalty_member_cards")
    op.drop_table("loyalty_member_cards")
    op.drop_table("loyalty_card_plans")
