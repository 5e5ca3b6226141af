"""The points mall's tables. Every key is led by ``alliance_id``."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, LargeBinary, String, Table, Text

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

mall_items = Table(
    "rewards_mall_items",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("supplier_merchant_id", String(40), nullable=True),  # None: the alliance
    Column("kind", String(16), nullable=False),
    Column("title", String(120), nullable=False),
    Column("description", Text, nullable=False),
    Column("category", String(40), nullable=False),
    Column("picture_ids", JSON, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("cash_fen", BigInteger, nullable=False),
    Column("purchase_price_fen", BigInteger, nullable=False),
    Column("stock", BigInteger, nullable=True),  # None: unlimited; only a conditional UPDATE takes it
    Column("per_day_limit", Integer, nullable=True),
    Column("total_limit", Integer, nullable=True),
    Column("tiers", JSON, nullable=False),
    Column("sale_starts_at", UtcDateTime, nullable=True),
    Column("sale_ends_at", UtcDateTime, nullable=True),
    Column("delivery", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("coupon_template_id", String(40), nullable=True),  # virtual: the order issues this coupon
    Index("ix_rewards_mall_items_supplier", "alliance_id", "supplier_merchant_id"),
)

mall_pictures = Table(
    "rewards_mall_pictures",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("content_type", String(40), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

mall_orders = Table(
    "rewards_mall_orders",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("item_id", String(40), nullable=False),
    Column("member_id", String(40), nullable=False),
    Column("supplier_merchant_id", String(40), nullable=True),
    Column("title", String(120), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("cash_fen", BigInteger, nullable=False),
    Column("purchase_price_fen", BigInteger, nullable=False),
    Column("delivery", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("hold_id", String(40), nullable=False),
    Column("business_day", String(10), nullable=False),  # Asia/Shanghai, for per-day limits
    Column("pickup_code", String(16), nullable=True),
    Column("voucher_code", String(16), nullable=True),
    Column("address", Text, nullable=True),  # encrypted (privacy.cipher), bound to the order id
    Column("carrier", String(40), nullable=True),
    Column("tracking_no", String(64), nullable=True),
    Column("store_id", String(40), nullable=True),  # where it was picked up
    Column("fulfilled_by", String(40), nullable=True),
    Column("settlement_entry_id", String(40), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    Index("ix_rewards_mall_orders_member", "alliance_id", "member_id", "item_id"),
    Index("ix_rewards_mall_orders_supplier", "alliance_id", "supplier_merchant_id", "state"),
    Index("ix_rewards_mall_orders_open", "alliance_id", "state", "expires_at"),
    Index("uq_rewards_mall_orders_pickup_code", "alliance_id", "pickup_code", unique=True),
)

mall_addresses = Table(
    "rewards_mall_addresses",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("label", String(80), nullable=False),  # masked: 张* 138****1234 上海市…
    Column("sealed", Text, nullable=False),  # the whole address, encrypted
    Column("created_at", UtcDateTime, nullable=False),
    Column("removed_at", UtcDateTime, nullable=True),
    Index("ix_rewards_mall_addresses_member", "alliance_id", "member_id"),
)

MALL_TABLES = (mall_items, mall_pictures, mall_orders, mall_addresses)
