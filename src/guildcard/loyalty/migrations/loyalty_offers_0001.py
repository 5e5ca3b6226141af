"""loyalty: campaign budgets (the most extra points a campaign gives, and what it gave so far)

Revision ID: loyalty_offers_0001
Revises: loyalty_cards_0004_topup_codes
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "loyalty_offers_0001"
down_revision = "loyalty_cards_0004_topup_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loyalty_campaigns") as batch:
        batch.add_column(sa.Column("budget_points", sa.BigInteger(), nullable=True))
    op.create_table(
        "loyalty_campaign_budgets",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("used_points", sa.BigInteger(), nullable=False),
        sa.Column("purchases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "campaign_id", name="pk_loyalty_campaign_budgets"),
    )


def downgrade() -> None:
    op.drop_table("loyalty_campaign_budgets")
    with op.batch_alter_table("loyalty_campaigns") as batch:
        batch.drop_column("budget_points")
