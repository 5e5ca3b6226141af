"""automation: webhook secrets sealed at rest (room for the FieldCipher's ciphertext)

Revision ID: automation_secrets_0004
Revises: automation_rules_0003
Create Date: 2026-12-03

Rows already holding a plain ``whsec_`` secret are sealed by the worker the first time it reads
them (``automation/handlers/sealing.py``): the data key lives with the application, not here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "automation_secrets_0004"
down_revision = "automation_rules_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("automation_webhook_subscriptions") as table:
        table.alter_column(
            "secret", type_=sa.String(200), existing_type=sa.String(100), existing_nullable=False
        )
        table.alter_column(
            "previous_secret", type_=sa.String(200), existing_type=sa.String(100), existing_nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("automation_webhook_subscriptions") as table:
        table.alter_column(
            "secret", type_=sa.String(100), existing_type=sa.String(200), existing_nullable=False
        )
        table.alter_column(
            "previous_secret", type_=sa.String(100), existing_type=sa.String(200), existing_nullable=True
        )
