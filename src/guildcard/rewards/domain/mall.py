"""The points mall's rules (积分商城): items, what an order may take, and how a sale settles.

Pure functions over frozen dataclasses: the handlers read the rows, these decide.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from guildcard.rewards.domain.mall_errors import (
    ItemNotOnSale,
    ItemNotVisible,
    MallItemInvalid,
    MemberLimitReached,
)

ORDER_TTL = timedelta(days=7)  # a pickup not collected or a parcel not shipped within it voids
HOLD_GRACE = timedelta(days=1)  # the ledger's own hold expiry trails the order's (the mall job voids first)
PICKUP_CODE_DIGITS = 8


class Delivery(StrEnum):
    PICKUP = "pickup"  # at the supplier's stores, with an 8-digit code (and its QR)
    SHIPPING = "shipping"  # to the member's address; the supplier enters carrier and tracking
    VIRTUAL = "virtual"  # a voucher code issued at once


class ItemKind(StrEnum):
    GOODS = "goods"
    SERVICE = "service"
    VOUCHER = "voucher"


class OrderState(StrEnum):
    HELD = "held"  # points held, stock taken; waiting for pickup or shipping
    PICKED_UP = "picked_up"
    SHIPPED = "shipped"
    DELIVERED = "delivered"  # virtual: the voucher code was issued
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_STATES = frozenset({OrderState.HELD})
FULFILLED_STATES = frozenset({OrderState.PICKED_UP, OrderState.SHIPPED, OrderState.DELIVERED})


@dataclass(frozen=True, kw_only=True)
class MallItem:
    id: str
    supplier_merchant_id: str | None  # None: the alliance supplies it itself
    kind: ItemKind
    title: str
    description: str = ""
    category: str = ""
    picture_ids: tuple[str, ...] = ()
    points: int
    cash_fen: int = 0  # points + cash: the cash part is paid to the supplier on delivery
    purchase_price_fen: int  # what the alliance pays the supplier per unit
    stock: int | None  # None: unlimited
    per_day_limit: int | None = None
    total_limit: int | None = None
    tiers: frozenset[str] = field(default_factory=frozenset)  # empty: every member
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    delivery: Delivery
    active: bool = True
    coupon_template_id: str | None = None  # virtual only: the order issues a coupon of this template


def check_item(item: MallItem) -> None:
    """Refuse an item a member could not be sold sensibly."""
    problems = []
    if not item.title.strip():
        problems.append("title")
    if item.points <= 0:
        problems.append("points")
    if item.cash_fen < 0 or item.purchase_price_fen < 0:
        problems.append("price")
    if item.stock is not None and item.stock < 0:
        problems.append("stock")
    for name in ("per_day_limit", "total_limit"):
        value = getattr(item, name)
        if value is not None and value <= 0:
            problems.append(name)
    if item.sale_starts_at and item.sale_ends_at and item.sale_ends_at <= item.sale_starts_at:
        problems.append("sale_window")
    if item.delivery is Delivery.PICKUP and item.supplier_merchant_id is None:
        problems.append("delivery")  # pickup happens at a supplier's own stores
    if item.coupon_template_id is not None and item.delivery is not Delivery.VIRTUAL:
        problems.append("coupon_template_id")  # a coupon is delivered at once, never shipped
    if problems:
        raise MallItemInvalid(fields=problems)


def visible_to(item: MallItem, tier: str | None) -> bool:
    return not item.tiers or (tier is not None and tier in item.tiers)


def on_sale(item: MallItem, now: datetime) -> bool:
    if not item.active:
        return False
    if item.sale_starts_at is not None and now < item.sale_starts_at:
        return False
    return item.sale_ends_at is None or now < item.sale_ends_at


def check_orderable(item: MallItem, *, tier: str | None, now: datetime) -> None:
    if not visible_to(item, tier):
        raise ItemNotVisible(item_id=item.id)
    if not on_sale(item, now):
        raise ItemNotOnSale(item_id=item.id)


def check_member_limits(item: MallItem, *, quantity: int, today: int, in_total: int) -> None:
    """``today`` and ``in_total``: what the member already ordered (cancelled orders excluded)."""
    if item.per_day_limit is not None and today + quantity > item.per_day_limit:
        raise MemberLimitReached(item_id=item.id, limit=item.per_day_limit, period="day")
    if item.total_limit is not None and in_total + quantity > item.total_limit:
        raise MemberLimitReached(item_id=item.id, limit=item.total_limit, period="total")


def new_pickup_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PICKUP_CODE_DIGITS))


def new_voucher_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@dataclass(frozen=True)
class MallSettlement:
    """How one fulfilled order clears (FEN): the points' value, the supplier's price, the margin."""

    points_value_fen: int
    supplier_fen: int
    margin_fen: int


def settle_order(*, points: int, purchase_price_fen: int, points_per_yuan: int) -> MallSettlement:
    """Points are cleared at the alliance's rate (``points_per_yuan`` points = ¥1), toward zero.

    The supplier is paid its agreed purchase price; the difference is the alliance's mall margin
    (negative when an item is sold below cost: the alliance subsidises it).
    """
    value = points * 100 // points_per_yuan
    return MallSettlement(value, purchase_price_fen, value - purchase_price_fen)
