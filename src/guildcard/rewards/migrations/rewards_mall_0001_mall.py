"""rewards: the points mall (items, pictures, orders, delivery addresses)

Revision ID: rewards_mall_0001
Revises: rewards_coupons_0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from guildcard.db.types import UtcDateTime

revision = "rewards_mall_0001"
down_revision = "rewards_coupons_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rewards_mall_items",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("supplier_merchant_id", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("picture_ids", sa.JSON(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("cash_fen", sa.BigInteger(), nullable=False),
        sa.Column("purchase_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=True),
        sa.Column("per_day_limit", sa.Integer(), nullable=True),
        sa.Column("total_limit", sa.Integer(), nullable=True),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("sale_starts_at", UtcDateTime(), nullable=True),
        sa.Column("sale_ends_at", UtcDateTime(), nullable=True),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_rewards_mall_items"),
    )
    op.create_index(
        "ix_rewards_mall_items_supplier", "rewards_mall_items", ["alliance_id", "supplier_merchant_id"]
    )
    op.create_table(
        "rewards_mall_pictures",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_rewards_mall_pictures"),
    )
    op.create_table(
        "rewards_mall_orders",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("supplier_merchant_id", sa.String(40), nullable=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("cash_fen", sa.BigInteger(), nullable=False),
        sa.Column("purchase_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("hold_id", sa.String(40), nullable=False),
        sa.Column("business_day", sa.String(10), nullable=False),
        sa.Column("pickup_code", sa.String(16), nullable=True),
        sa.Column("voucher_code", sa.String(16), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("carrier", sa.String(40), nullable=True),
        sa.Column("tracking_no", sa.String(64), nullable=True),
        sa.Column("store_id", sa.String(40), nullable=True),
        sa.Column("fulfilled_by", sa.String(40), nullable=True),
        sa.Column("settlement_entry_id", sa.String(40), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_rewards_mall_orders"),
    )
    op.create_index(
        "ix_rewards_mall_orders_member", "rewards_mall_orders", ["alliance_id", "member_id", "item_id"]
    )
    op.create_index(
        "ix_rewards_mall_orders_supplier",
        "rewards_mall_orders",
        ["alliance_id", "supplier_merchant_id", "state"],
    )
    op.create_index(
        "ix_rewards_mall_orders_open", "rewards_mall_orders", ["alliance_id", "state", "expires_at"]
    )
    op.create_index(
        "uq_rewards_mall_orders_pickup_code",
        "rewards_mall_orders",
        ["alliance_id", "pickup_code"],
        unique=True,
    )
    op.create_table(
        "rewards_mall_addresses",
        sa.Column("alliance_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("removed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "id", name="pk_rewards_mall_addresses"),
    )
    op.create_index(
        "ix_rewards_mall_addresses_member", "rewards_mall_addresses", ["alliance_id", "member_id"]
    )


def downgrade() -> None:
    for name in (
        "rewards_mall_addresses",
        "rewards_mall_orders",
        "rewards_mall_pictures",
        "rewards_mall_items",
    ):
        op.drop_table(name)
