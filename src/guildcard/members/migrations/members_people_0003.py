"""members: the alliance's published membership terms (text and version)

Revision ID: members_people_0003
Revises: members_people_0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "members_people_0003"
down_revision = "members_people_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_terms",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=False),
        sa.Column("published_by", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "version", name="pk_member_terms"),
    )


def downgrade() -> None:
    op.drop_table("member_terms")
