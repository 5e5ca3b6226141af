"""counter: purchases, refunds, backfill requests

Revision ID: counter_0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "counter_0001"
down_revision = None
branch_labels = ("counter",)
depends_on = None

ID = 40
NO = 64
MONEY = (
    "bill_fen",
    "discount_fen",
    "payable_fen",
    "points_used",
    "points_value_fen",
    "cash_fen",
    "points_earned",
    "growth",
    "refunded_fen",
)


def _money(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "counter_purchases",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("purchase_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("store_id", sa.String(ID), nullable=False),
        sa.Column("order_no", sa.String(NO), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        *_money(*MONEY),
        sa.Column("spend_entry_id", sa.String(ID)),
        sa.Column("award_entry_id", sa.String(ID)),
        sa.Column("growth_entry_id", sa.String(ID)),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "purchase_id", name="pk_counter_purchases"),
        sa.UniqueConstraint("alliance_id", "merchant_id", "order_no", name="uq_counter_purchases_order"),
    )
    op.create_index(
        "ix_counter_purchases_member_day",
        "counter_purchases",
        ["alliance_id", "member_id", "merchant_id", "occurred_at"],
    )
    op.create_table(
        "counter_refunds",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("refund_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("refund_no", sa.String(NO), nullable=False),
        sa.Column("purchase_id", sa.String(ID), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "refund_id", name="pk_counter_refunds"),
        sa.UniqueConstraint("alliance_id", "merchant_id", "refund_no", name="uq_counter_refunds_refund_no"),
    )
    op.create_index("ix_counter_refunds_purchase", "counter_refunds", ["alliance_id", "purchase_id"])
    op.create_table(
        "counter_backfills",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("backfill_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("store_id", sa.String(ID), nullable=False),
        sa.Column("receipt_no", sa.String(NO), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("purchased_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("purchase_id", sa.String(ID)),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(ID), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(ID)),
        sa.Column("decided_at", UtcDateTime()),
        sa.Column("decision_note", sa.String(500)),
        sa.PrimaryKeyConstraint("alliance_id", "backfill_id", name="pk_counter_backfills"),
        sa.UniqueConstraint("alliance_id", "merchant_id", "receipt_no", name="uq_counter_backfills_receipt"),
    )


def downgrade() -> None:
    op.drop_table("counter_backfills")
    op.drop_index("ix_counter_refunds_purchase", table_name="counter_refunds")
    op.drop_table("counter_refunds")
    op.drop_index("ix_counter_purchases_member_day", table_name="counter_purchases")
    op.drop_table("counter_purchases")
