"""counter: the price stages beyond points (coupon used, stored value paid) on purchases

Revision ID: counter_seam_0001
Revises: counter_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "counter_seam_0001"
down_revision = "counter_0001"
branch_labels = None
depends_on = None

ID = 40


def upgrade() -> None:
    with op.batch_alter_table("counter_purchases") as table:
        table.add_column(sa.Column("coupon_id", sa.String(ID)))
        table.add_column(sa.Column("coupon_fen", sa.BigInteger, nullable=False, server_default="0"))
        table.add_column(sa.Column("wallet_principal_fen", sa.BigInteger, nullable=False, server_default="0"))
        table.add_column(sa.Column("wallet_bonus_fen", sa.BigInteger, nullable=False, server_default="0"))
        table.add_column(sa.Column("wallet_entry_id", sa.String(ID)))


def downgrade() -> None:
    with op.batch_alter_table("counter_purchases") as table:
        for name in ("wallet_entry_id", "wallet_bonus_fen", "wallet_principal_fen", "coupon_fen"):
            table.drop_column(name)
        table.drop_column("coupon_id")
