"""automation: schedule triggers' settings on a rule; members' message preferences

Revision ID: automation_auto_0005_schedules
Revises: automation_secrets_0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "automation_auto_0005_schedules"
down_revision = "automation_secrets_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("automation_rules", sa.Column("params", sa.JSON(), nullable=True))
    op.create_table(
        "automation_preferences",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "alliance_id", "member_id", "channel", "kind", name="pk_automation_preferences"
        ),
    )


def downgrade() -> None:
    op.drop_table("automation_preferences")
    op.drop_column("automation_rules", "params")
