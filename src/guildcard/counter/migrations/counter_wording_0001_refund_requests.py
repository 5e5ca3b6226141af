"""counter: refund requests waiting for the owner or a manager (spent points, issue 12 item 6)

Revision ID: counter_wording_0001
Revises: counter_seam_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "counter_wording_0001"
down_revision = "counter_seam_0001"
branch_labels = None
depends_on = None

ID, NO = 40, 64


def upgrade() -> None:
    op.create_table(
        "counter_refund_requests",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("request_id", sa.String(ID), nullable=False),
        sa.Column("merchant_id", sa.String(ID), nullable=False),
        sa.Column("store_id", sa.String(ID), nullable=False),
        sa.Column("order_no", sa.String(NO), nullable=False),
        sa.Column("refund_no", sa.String(NO), nullable=False),
        sa.Column("purchase_id", sa.String(ID), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("shortfall_points", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("settle_as", sa.String(24)),
        sa.Column("refund_id", sa.String(ID)),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("requested_by", sa.String(ID), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(ID)),
        sa.Column("decided_at", UtcDateTime()),
        sa.Column("decision_note", sa.String(500)),
        sa.PrimaryKeyConstraint("alliance_id", "request_id", name="pk_counter_refund_requests"),
        sa.UniqueConstraint("alliance_id", "merchant_id", "refund_no", name="uq_counter_refund_requests_no"),
    )
    op.create_index(
        "ix_counter_refund_requests_status",
        "counter_refund_requests",
        ["alliance_id", "merchant_id", "status"],
    )


def downgrade() -> None:
    op.drop_index("ix_counter_refund_requests_status", "counter_refund_requests")
    op.drop_table("counter_refund_requests")
