"""loyalty: stored-value top-up codes (储值卡密): batches and hashed codes

Revision ID: loyalty_cards_0004_topup_codes
Revises: loyalty_tiers_0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "loyalty_cards_0004_topup_codes"
down_revision = "loyalty_tiers_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loyalty_topup_code_batches",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("face_fen", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("note", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "batch_id", name="pk_loyalty_topup_code_batches"),
    )
    op.create_table(
        "loyalty_topup_codes",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_by", sa.String(40), nullable=True),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("topup_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "code_hash", name="pk_loyalty_topup_codes"),
    )
    op.create_index(
        "ix_loyalty_topup_codes_alliance_id_batch_id", "loyalty_topup_codes", ["alliance_id", "batch_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_loyalty_topup_codes_alliance_id_batch_id", table_name="loyalty_topup_codes")
    op.drop_table("loyalty_topup_codes")
    op.drop_table("loyalty_topup_code_batches")
