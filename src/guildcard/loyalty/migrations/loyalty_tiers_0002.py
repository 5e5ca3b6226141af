"""loyalty: stored value (储值): settings, top-up packages, lots, payments, draws, refund requests

Revision ID: loyalty_tiers_0002
Revises: loyalty_tiers_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "loyalty_tiers_0002"
down_revision = "loyalty_tiers_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loyalty_wallet_settings",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("spend_order", sa.String(16), nullable=False),
        sa.Column("earn_on", sa.String(16), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", name="pk_loyalty_wallet_settings"),
    )
    op.create_table(
        "loyalty_topup_packages",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("package_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("pay_fen", sa.BigInteger(), nullable=False),
        sa.Column("bonus_fen", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "package_id", name="pk_loyalty_topup_packages"),
    )
    op.create_table(
        "loyalty_wallet_lots",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("lot_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("store_id", sa.String(40), nullable=True),
        sa.Column("package_id", sa.String(40), nullable=True),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("bonus", sa.BigInteger(), nullable=False),
        sa.Column("principal_left", sa.BigInteger(), nullable=False),
        sa.Column("bonus_left", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "lot_id", name="pk_loyalty_wallet_lots"),
    )
    op.create_index(
        "ix_loyalty_wallet_lots_alliance_id_member_id", "loyalty_wallet_lots", ["alliance_id", "member_id"]
    )
    op.create_table(
        "loyalty_wallet_payments",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("payment_id", sa.String(60), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("bonus", sa.BigInteger(), nullable=False),
        sa.Column("principal_back", sa.BigInteger(), nullable=False),
        sa.Column("bonus_back", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "payment_id", name="pk_loyalty_wallet_payments"),
    )
    op.create_index(
        "ix_loyalty_wallet_payments_alliance_id_member_id",
        "loyalty_wallet_payments",
        ["alliance_id", "member_id"],
    )
    op.create_table(
        "loyalty_wallet_draws",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("payment_id", sa.String(60), nullable=False),
        sa.Column("lot_id", sa.String(40), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("bonus", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "payment_id", "lot_id", name="pk_loyalty_wallet_draws"),
    )
    op.create_table(
        "loyalty_wallet_refunds",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("lot_id", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=True),
        sa.Column("bonus_forfeited", sa.BigInteger(), nullable=True),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "request_id", name="pk_loyalty_wallet_refunds"),
    )


def downgrade() -> None:
    op.drop_table("loyalty_wallet_refunds")
    op.drop_table("loyalty_wallet_draws")
    op.drop_index("ix_loyalty_wallet_payments_alliance_id_member_id", table_name="loyalty_wallet_payments")
    op.drop_table("loyalty_wallet_payments")
    op.drop_index("ix_loyalty_wallet_lots_alliance_id_member_id", table_name="loyalty_wallet_lots")
    op.drop_table("loyalty_wallet_lots")
    op.drop_table("loyalty_topup_packages")
    op.drop_table("loyalty_wallet_settings")
