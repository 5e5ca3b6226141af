"""kernel: event outbox and configuration versions

Revision ID: kernel_0002
Revises: kernel_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "kernel_0002"
down_revision = "kernel_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_outbox_events"),
    )
    op.create_index("ix_outbox_events_unpublished", "outbox_events", ["alliance_id", "published_at", "id"])
    op.create_table(
        "config_versions",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "topic", name="pk_config_versions"),
    )


def downgrade() -> None:
    op.drop_table("config_versions")
    op.drop_index("ix_outbox_events_unpublished", table_name="outbox_events")
    op.drop_table("outbox_events")
