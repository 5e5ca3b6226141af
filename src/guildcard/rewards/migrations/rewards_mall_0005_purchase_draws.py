"""rewards: a lottery campaign grants draws per purchase of at least an amount

Revision ID: rewards_mall_0005
Revises: rewards_mall_0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rewards_mall_0005"
down_revision = "rewards_mall_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rewards_lottery_campaigns") as batch:
        batch.add_column(sa.Column("draws_per_purchase", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("purchase_min_fen", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("rewards_lottery_campaigns") as batch:
        batch.drop_column("purchase_min_fen")
        batch.drop_column("draws_per_purchase")
