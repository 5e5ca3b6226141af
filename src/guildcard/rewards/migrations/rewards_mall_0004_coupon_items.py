"""rewards: a virtual mall item may be a coupon template (the order issues a real coupon)

Revision ID: rewards_mall_0004
Revises: rewards_mall_0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rewards_mall_0004"
down_revision = "rewards_mall_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rewards_mall_items") as batch:
        batch.add_column(sa.Column("coupon_template_id", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rewards_mall_items") as batch:
        batch.drop_column("coupon_template_id")
