"""loyalty: may a refund of spent points pay the cash minus their value (issue 12 item 6)

Revision ID: loyalty_wording_0001
Revises: loyalty_offers_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "loyalty_wording_0001"
down_revision = "loyalty_offers_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loyalty_settings") as table:
        table.add_column(
            sa.Column("refund_cash_for_spent_points", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("loyalty_settings") as table:
        table.drop_column("refund_cash_for_spent_points")
