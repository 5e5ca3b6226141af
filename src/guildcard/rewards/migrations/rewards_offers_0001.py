"""rewards: a lottery draw keeps the coupon or mall order its prize became

Revision ID: rewards_offers_0001
Revises: rewards_mall_0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rewards_offers_0001"
down_revision = "rewards_mall_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rewards_lottery_draws") as batch:
        batch.add_column(sa.Column("issued", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rewards_lottery_draws") as batch:
        batch.drop_column("issued")
