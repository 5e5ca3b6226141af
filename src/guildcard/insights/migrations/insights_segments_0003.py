"""insights: tags (by rule and by hand) and segments (saved filters)

Revision ID: insights_segments_0003
Revises: insights_rollups_0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "insights_segments_0003"
down_revision = "insights_rollups_0002"
branch_labels = None
depends_on = None

ID = 40


def upgrade() -> None:
    op.create_table(
        "insights_tags",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("tag_id", sa.String(ID), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("rule", sa.String(500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "tag_id", name="pk_insights_tags"),
    )
    op.create_table(
        "insights_member_tags",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("tag_id", sa.String(ID), nullable=False),
        sa.Column("member_id", sa.String(ID), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "tag_id", "member_id", name="pk_insights_member_tags"),
    )
    op.create_index("ix_insights_member_tags_member", "insights_member_tags", ["alliance_id", "member_id"])
    op.create_table(
        "insights_segments",
        sa.Column("alliance_id", sa.String(ID), nullable=False),
        sa.Column("segment_id", sa.String(ID), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(ID), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "segment_id", name="pk_insights_segments"),
    )
    op.create_index("ix_insights_segments_id", "insights_segments", ["segment_id"])


def downgrade() -> None:
    op.drop_index("ix_insights_segments_id", "insights_segments")
    op.drop_table("insights_segments")
    op.drop_index("ix_insights_member_tags_member", "insights_member_tags")
    op.drop_table("insights_member_tags")
    op.drop_table("insights_tags")
