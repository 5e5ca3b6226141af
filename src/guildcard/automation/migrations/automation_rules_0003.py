"""automation: rules, their runs and the message outbox

Revision ID: automation_rules_0003
Revises: automation_webhooks_0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "automation_rules_0003"
down_revision = "automation_webhooks_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "automation_rules",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("preset", sa.String(40), nullable=True),
        sa.Column("trigger", sa.String(40), nullable=False),
        sa.Column("condition", sa.String(1000), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("controls", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_automation_rules"),
    )
    op.create_table(
        "automation_runs",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("rule_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("occurrence", sa.String(60), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_automation_runs"),
        sa.UniqueConstraint(
            "alliance_id", "rule_id", "member_id", "occurrence", name="uq_automation_runs_occurrence"
        ),
    )
    op.create_index("ix_automation_runs_rule", "automation_runs", ["alliance_id", "rule_id", "at"])
    op.create_table(
        "automation_messages",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("rule_id", sa.String(40), nullable=True),
        sa.Column("run_id", sa.String(40), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("read_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_automation_messages"),
    )
    op.create_index(
        "ix_automation_messages_due", "automation_messages", ["alliance_id", "status", "next_attempt_at"]
    )
    op.create_index(
        "ix_automation_messages_member", "automation_messages", ["alliance_id", "member_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_automation_messages_member", table_name="automation_messages")
    op.drop_index("ix_automation_messages_due", table_name="automation_messages")
    op.drop_table("automation_messages")
    op.drop_index("ix_automation_runs_rule", table_name="automation_runs")
    op.drop_table("automation_runs")
    op.drop_table("automation_rules")
