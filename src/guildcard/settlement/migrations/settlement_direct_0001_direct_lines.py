"""settlement: direct lines (money other contexts' entries moved on merchants' settlement accounts)

Revision ID: settlement_direct_0001
Revises: settlement_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "settlement_direct_0001"
down_revision = "settlement_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("settlement_statements") as table:
        table.add_column(sa.Column("direct", sa.BigInteger, nullable=False, server_default="0"))
    with op.batch_alter_table("settlement_lines") as table:
        table.add_column(sa.Column("kind", sa.String(40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("settlement_lines") as table:
        table.drop_column("kind")
    with op.batch_alter_table("settlement_statements") as table:
        table.drop_column("direct")
