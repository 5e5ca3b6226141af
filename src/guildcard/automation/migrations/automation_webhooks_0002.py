"""automation: webhook subscriptions, deliveries and the delivery log

Revision ID: automation_webhooks_0002
Revises: automation_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "automation_webhooks_0002"
down_revision = "automation_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "automation_webhook_subscriptions",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("previous_secret", sa.String(100), nullable=True),
        sa.Column("previous_until", UtcDateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("disabled_reason", sa.String(200), nullable=True),
        sa.Column("failing_since", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_automation_webhook_subscriptions"),
    )
    op.create_table(
        "automation_webhook_deliveries",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("subscription_id", sa.String(40), nullable=False),
        sa.Column("merchant_id", sa.String(40), nullable=True),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_automation_webhook_deliveries"),
        sa.UniqueConstraint(
            "alliance_id",
            "subscription_id",
            "event_id",
            name="uq_automation_webhook_deliveries_event",
        ),
    )
    op.create_index(
        "ix_automation_webhook_deliveries_due",
        "automation_webhook_deliveries",
        ["alliance_id", "status", "next_attempt_at"],
    )
    op.create_table(
        "automation_webhook_attempts",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("delivery_id", sa.String(40), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("attempted_at", UtcDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_automation_webhook_attempts"),
    )
    op.create_index(
        "ix_automation_webhook_attempts_delivery",
        "automation_webhook_attempts",
        ["alliance_id", "delivery_id", "attempt"],
    )


def downgrade() -> None:
    op.drop_table("automation_webhook_attempts")
    op.drop_index("ix_automation_webhook_deliveries_due", table_name="automation_webhook_deliveries")
    op.drop_table("automation_webhook_deliveries")
    op.drop_table("automation_webhook_subscriptions")
