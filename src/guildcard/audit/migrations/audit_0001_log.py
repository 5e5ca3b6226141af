"""audit: the audit log

Revision ID: audit_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "audit_0001"
down_revision = None
branch_labels = ("audit",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("alliance_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=40), nullable=False),
        sa.Column("merchant_id", sa.String(length=40), nullable=True),
        sa.Column("store_id", sa.String(length=40), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["alliance_id", "at"], unique=False)
    op.create_index("ix_audit_log_merchant", "audit_log", ["alliance_id", "merchant_id", "at"], unique=False)
    op.create_index(
        "ix_audit_log_object", "audit_log", ["alliance_id", "object_type", "object_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("audit_log")
