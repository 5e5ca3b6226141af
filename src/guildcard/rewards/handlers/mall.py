"""The points mall's write commands: the catalogue, addresses, orders and their fulfilment.

An order holds the member's points through the ledger (two-phase) and takes the stock with one
conditional UPDATE in the same transaction, so the mall never oversells. The hold commits when
the order is fulfilled (picked up at one of the supplier's stores, shipped, or a voucher issued)
and the sale settles at once in FEN: the points' value at the alliance's rate, the supplier's
purchase price, and the difference as the alliance's mall margin. Cancelling or timing out voids
the hold and puts the stock back.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from guildcard.kernel.actors import ActorKind
from guildcard.kernel.clock import FixedClock, business_date, ensure_utc
from guildcard.kernel.errors import PermissionDenied
from guildcard.kernel.ids import new_id
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import Posting, Unit
from guildcard.ledger.domain.errors import HoldNotActive
from guildcard.ledger.service import Ledger
from guildcard.loyalty import queries as loyalty_queries
from guildcard.pipeline import Command, Work
from guildcard.rewards.domain.mall import (
    HOLD_GRACE,
    ORDER_TTL,
    Delivery,
    ItemKind,
    MallItem,
    OrderState,
    check_item,
    check_member_limits,
    check_orderable,
    new_pickup_code,
    new_voucher_code,
    settle_order,
)
from guildcard.rewards.domain.mall_errors import (
    AddressInvalid,
    AddressRequired,
    MallItemInvalid,
    MallItemNotFound,
    MallOrderNotFound,
    NotTheSupplier,
    OrderNotOpen,
    ShippingInvalid,
    SoldOut,
    WrongDelivery,
)
from guildcard.rewards.handlers import mall_access as access
from guildcard.rewards.handlers.base import handlers
from guildcard.rewards.handlers.mall_deps import RewardsDeps
from guildcard.rewards.handlers.prizes import issue_prize_coupon, prize_template
from guildcard.rewards.storage.mall_repository import MallOrder, MallRepository

MALL_SETTLEMENT_KIND = "mall_supply"  # registered in settlement/domain/direct.py
MALL_MARGIN = "platform:revenue:mall_margin"
CLEARING = "platform:clearing:points"  # the float that backs points (settlement's chart)
ALLIANCE_SUPPLIERS = "platform:payable:mall_suppliers"  # items the alliance buys outside
NO_HOLD = "none"  # a prize order holds no points
ITEM_EDITABLE = frozenset(
    {f.name for f in fields(MallItem)}
    - {"id", "supplier_merchant_id", "kind", "delivery", "coupon_template_id"}
)


# --- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateMallItem(Command):
    scope = "rewards.mall.create_item"
    supplier_merchant_id: str | None
    kind: ItemKind
    title: str
    points: int
    purchase_price_fen: int
    delivery: Delivery
    stock: int | None
    cash_fen: int = 0
    description: str = ""
    category: str = ""
    picture_ids: tuple[str, ...] = ()
    per_day_limit: int | None = None
    total_limit: int | None = None
    tiers: tuple[str, ...] = ()
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    coupon_template_id: str | None = None  # virtual: each order issues a coupon of this template


@dataclass(frozen=True, kw_only=True)
class UpdateMallItem(Command):
    """Change an item: any of ``ITEM_EDITABLE`` (title, prices, stock, limits, tiers, window, active)."""

    scope = "rewards.mall.update_item"
    item_id: str
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class UploadMallPicture(Command):
    scope = "rewards.mall.upload_picture"
    content_type: str
    data: bytes

    def identity(self) -> Mapping[str, Any]:
        return {"content_type": self.content_type, "sha256": hashlib.sha256(self.data).hexdigest()}


@dataclass(frozen=True, kw_only=True)
class SaveAddress(Command):
    scope = "rewards.mall.save_address"
    recipient: str
    phone: str
    region: str  # province / city / district
    line: str  # street, building, room


@dataclass(frozen=True, kw_only=True)
class RemoveAddress(Command):
    scope = "rewards.mall.remove_address"
    address_id: str


@dataclass(frozen=True, kw_only=True)
class PlaceMallOrder(Command):
    scope = "rewards.mall.place_order"
    item_id: str
    quantity: int = 1
    address_id: str | None = None  # shipped items


@dataclass(frozen=True, kw_only=True)
class CancelMallOrder(Command):
    scope = "rewards.mall.cancel_order"
    order_id: str


@dataclass(frozen=True, kw_only=True)
class ConfirmPickup(Command):
    """The supplier's cashier confirms a pickup code at one of the supplier's stores (once)."""

    scope = "rewards.mall.confirm_pickup"
    pickup_code: str
    store_id: str


@dataclass(frozen=True, kw_only=True)
class ShipMallOrder(Command):
    scope = "rewards.mall.ship_order"
    order_id: str
    carrier: str
    tracking_no: str


@dataclass(frozen=True, kw_only=True)
class ExpireMallOrders(Command):
    """The job: orders still held at ``as_of`` past their time void (points back, stock back)."""

    scope = "rewards.mall.expire_orders"
    as_of: datetime


@dataclass(frozen=True)
class SavedAddress:
    address_id: str
    label: str


@dataclass(frozen=True)
class ExpiredOrders:
    order_ids: tuple[str, ...]


# --- the catalogue -----------------------------------------------------------------------------


@handlers.register(authorize=access.supplier_or_operator)
def create_mall_item(command: CreateMallItem, work: Work) -> MallItem:
    values = {f.name: getattr(command, f.name) for f in fields(command) if f.name != "idempotency_key"}
    values["tiers"] = frozenset(command.tiers)
    values["picture_ids"] = tuple(command.picture_ids)
    for name in ("sale_starts_at", "sale_ends_at"):
        if values[name] is not None:
            values[name] = ensure_utc(values[name])
    item = MallItem(id=new_id("mit"), **values)
    check_item(item)
    if item.coupon_template_id is not None:
        prize_template(work, item.coupon_template_id, field="coupon_template_id")
    MallRepository(work.connection, work.alliance_id).add_item(item, work.now)
    work.audit(
        "rewards.mall.create_item", object_type="mall_item", object_id=item.id,
        merchant_id=item.supplier_merchant_id, details={"title": item.title, "points": item.points},
    )  # fmt: skip
    work.emit("rewards.mall_item_created", item.id, title=item.title, points=item.points, stock=item.stock)
    return item


@handlers.register(authorize=access.supplier_or_operator)
def update_mall_item(command: UpdateMallItem, work: Work) -> MallItem:
    unknown = sorted(set(command.changes) - ITEM_EDITABLE)
    if unknown:
        raise MallItemInvalid(f"cannot change {', '.join(unknown)}", fields=unknown)
    repo = MallRepository(work.connection, work.alliance_id)
    item = _own_item(repo, work, command.item_id)
    changes = dict(command.changes)
    if "tiers" in changes:
        changes["tiers"] = frozenset(changes["tiers"])
    if "picture_ids" in changes:
        changes["picture_ids"] = tuple(changes["picture_ids"])
    updated = replace(item, **changes)
    check_item(updated)
    repo.save_item(updated, work.now)
    work.audit(
        "rewards.mall.update_item", object_type="mall_item", object_id=item.id,
        merchant_id=item.supplier_merchant_id, details={"changed": sorted(changes)},
    )  # fmt: skip
    work.emit("rewards.mall_item_changed", item.id, changed=sorted(changes))
    return updated


@handlers.register(authorize=access.supplier_or_operator)
def upload_mall_picture(command: UploadMallPicture, work: Work) -> str:
    if command.content_type not in {"image/png", "image/jpeg", "image/webp", "image/gif"}:
        raise MallItemInvalid("Pictures are PNG, JPEG, WebP or GIF.", fields=["picture"])
    if not command.data or len(command.data) > 2_000_000:
        raise MallItemInvalid("A picture is at most 2 MB.", fields=["picture"])
    picture_id = new_id("pic")
    MallRepository(work.connection, work.alliance_id).add_picture(
        picture_id, command.content_type, command.data, work.now
    )
    work.audit("rewards.mall.upload_picture", object_type="mall_picture", object_id=picture_id)
    return picture_id


def _own_item(repo: MallRepository, work: Work, item_id: str) -> MallItem:
    item = repo.item(item_id)
    if item is None:
        raise MallItemNotFound(item_id=item_id)
    if work.actor.kind is ActorKind.STAFF and work.actor.merchant_id != item.supplier_merchant_id:
        raise PermissionDenied("Only the supplier's owner or the alliance may change this item.")
    return item


# --- addresses ---------------------------------------------------------------------------------


def mask_address(recipient: str, phone: str, region: str) -> str:
    name = recipient[:1] + "*" * max(1, len(recipient) - 1)
    masked_phone = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
    return f"{name} {masked_phone} {region}"[:80]


@handlers.register(authorize=access.member)
def save_address(command: SaveAddress, work: Work) -> SavedAddress:
    parts = [command.recipient.strip(), command.phone.strip(), command.region.strip(), command.line.strip()]
    if not all(parts) or not command.phone.strip().isdigit():
        raise AddressInvalid(fields=["recipient", "phone", "region", "line"])
    deps: RewardsDeps = work.deps
    address_id = new_id("adr")
    sealed = deps.cipher.encrypt("\n".join(parts), context=f"mall_address:{address_id}")
    label = mask_address(parts[0], parts[1], parts[2])
    MallRepository(work.connection, work.alliance_id).add_address(
        address_id, work.actor.id, label, sealed, work.now
    )
    work.audit("rewards.mall.save_address", object_type="mall_address", object_id=address_id)
    return SavedAddress(address_id, label)


@handlers.register(authorize=access.member)
def remove_address(command: RemoveAddress, work: Work) -> SavedAddress:
    repo = MallRepository(work.connection, work.alliance_id)
    row = repo.address(work.actor.id, command.address_id)
    if row is None or not repo.remove_address(work.actor.id, command.address_id, work.now):
        raise AddressRequired(address_id=command.address_id)
    work.audit("rewards.mall.remove_address", object_type="mall_address", object_id=command.address_id)
    return SavedAddress(row.id, row.label)


# --- orders ------------------------------------------------------------------------------------


def _ledger(work: Work) -> Ledger:
    return Ledger(work.connection, alliance_id=work.alliance_id, clock=FixedClock(work.now))


@handlers.register(authorize=access.member)
def place_mall_order(command: PlaceMallOrder, work: Work) -> MallOrder:
    """Hold the points, take the stock, count the member's limits: all in this one transaction."""
    deps: RewardsDeps = work.deps
    repo = MallRepository(work.connection, work.alliance_id)
    member_id = work.actor.id
    item = repo.item(command.item_id)
    if item is None:
        raise MallItemNotFound(item_id=command.item_id)
    if command.quantity < 1:
        raise MallItemInvalid("Order at least one.", fields=["quantity"])
    check_orderable(item, tier=deps.tier_of(work.connection, work.alliance_id, member_id), now=work.now)
    address = _order_address(repo, deps, member_id, command, item)
    order_id = new_id("mor")
    points = item.points * command.quantity
    # The hold takes the member's points row lock first, so the limit count below sees every
    # earlier order of this member (a second tap waits here, then counts the first).
    hold = _ledger(work).hold(
        member_id=member_id, at=chart.PLATFORM_MALL, amount=points,
        idempotency_key=f"mall:{order_id}:hold", ttl=ORDER_TTL + HOLD_GRACE,
        reference=f"mall_order:{order_id}",
    )  # fmt: skip
    day = business_date(work.now).isoformat()
    today, in_total = repo.ordered_by(member_id, item.id, day)
    check_member_limits(item, quantity=command.quantity, today=today, in_total=in_total)
    if item.stock is not None and not repo.take_stock(item.id, command.quantity):
        raise SoldOut(item_id=item.id)
    values = {
        "id": order_id, "item_id": item.id, "member_id": member_id,
        "supplier_merchant_id": item.supplier_merchant_id, "title": item.title,
        "quantity": command.quantity, "points": points, "cash_fen": item.cash_fen * command.quantity,
        "purchase_price_fen": item.purchase_price_fen * command.quantity, "delivery": item.delivery.value,
        "state": OrderState.HELD.value, "hold_id": hold.hold_id, "business_day": day,
        "pickup_code": None, "address": None, "created_at": work.now, "expires_at": work.now + ORDER_TTL,
    }  # fmt: skip
    if address is not None:
        values["address"] = deps.cipher.encrypt(address, context=f"mall_order:{order_id}")
    if item.delivery is Delivery.PICKUP:
        _insert_with_pickup_code(repo, work, values)
    else:
        repo.add_order(values)
    work.audit(
        "rewards.mall.place_order", object_type="mall_order", object_id=order_id,
        merchant_id=item.supplier_merchant_id, details={"item": item.id, "points": points},
    )  # fmt: skip
    work.emit(
        "rewards.mall_order_placed", order_id, item_id=item.id, member_id=member_id, points=points,
        quantity=command.quantity, delivery=item.delivery.value,
    )  # fmt: skip
    if item.delivery is Delivery.VIRTUAL:
        return _deliver_virtual(work, repo, item, _order(repo, order_id))
    return _order(repo, order_id)


def _deliver_virtual(work: Work, repo: MallRepository, item: MallItem, order: MallOrder) -> MallOrder:
    """The mall's own voucher code, or, for a coupon item, a real coupon (its code is the voucher)."""
    if item.coupon_template_id is None:
        return _fulfil(work, repo, order, OrderState.DELIVERED, voucher_code=new_voucher_code())
    coupon = issue_prize_coupon(work, item.coupon_template_id, order.member_id, claim_key=f"mall:{order.id}")
    return _fulfil(work, repo, order, OrderState.DELIVERED, voucher_code=coupon.code)


def give_mall_prize(work: Work, item_id: str, member_id: str, *, reference: str) -> MallOrder:
    """A mall item won in the lottery: an order of no points (no hold), the stock taken at once.

    Pickup items wait for the supplier's cashier like any order; virtual items are delivered now.
    The supplier is still paid its purchase price at fulfilment; the alliance bears it (a negative
    margin). Raises ``SoldOut`` or ``MallItemNotFound`` (the caller falls back)."""
    repo = MallRepository(work.connection, work.alliance_id)
    item = repo.item(item_id)
    if item is None or not item.active:
        raise MallItemNotFound(item_id=item_id)
    if item.stock is not None and not repo.take_stock(item.id, 1):
        raise SoldOut(item_id=item.id)
    order_id = new_id("mor")
    values = {
        "id": order_id, "item_id": item.id, "member_id": member_id,
        "supplier_merchant_id": item.supplier_merchant_id, "title": item.title, "quantity": 1,
        "points": 0, "cash_fen": 0, "purchase_price_fen": item.purchase_price_fen,
        "delivery": item.delivery.value, "state": OrderState.HELD.value, "hold_id": NO_HOLD,
        "business_day": business_date(work.now).isoformat(), "pickup_code": None, "address": None,
        "created_at": work.now, "expires_at": work.now + ORDER_TTL,
    }  # fmt: skip
    if item.delivery is Delivery.PICKUP:
        _insert_with_pickup_code(repo, work, values)
    else:
        repo.add_order(values)
    work.emit(
        "rewards.mall_order_placed", order_id, item_id=item.id, member_id=member_id, points=0,
        quantity=1, delivery=item.delivery.value, reference=reference,
    )  # fmt: skip
    if item.delivery is Delivery.VIRTUAL:
        return _deliver_virtual(work, repo, item, _order(repo, order_id))
    return _order(repo, order_id)


def _order_address(
    repo: MallRepository, deps: RewardsDeps, member_id: str, command: PlaceMallOrder, item: MallItem
) -> str | None:
    if item.delivery is not Delivery.SHIPPING:
        return None
    row = repo.address(member_id, command.address_id) if command.address_id else None
    if row is None:
        raise AddressRequired(item_id=item.id)
    return deps.cipher.decrypt(row.sealed, context=f"mall_address:{row.id}")


def _insert_with_pickup_code(repo: MallRepository, work: Work, values: dict[str, Any]) -> None:
    """A fresh 8-digit code, unique in the alliance (the unique index decides; retried on a clash)."""
    for _ in range(5):
        values["pickup_code"] = new_pickup_code()
        savepoint = work.connection.begin_nested()
        try:
            repo.add_order(values)
        except IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        return
    raise RuntimeError("could not find a free pickup code")


def _order(repo: MallRepository, order_id: str) -> MallOrder:
    order = repo.order(order_id)
    if order is None:
        raise MallOrderNotFound(order_id=order_id)
    return order


@handlers.register(authorize=access.member_or_operator)
def cancel_mall_order(command: CancelMallOrder, work: Work) -> MallOrder:
    repo = MallRepository(work.connection, work.alliance_id)
    order = _order(repo, command.order_id)
    if work.actor.kind is ActorKind.MEMBER and order.member_id != work.actor.id:
        raise MallOrderNotFound(order_id=command.order_id)
    _void(work, repo, order, OrderState.CANCELLED)
    work.audit("rewards.mall.cancel_order", object_type="mall_order", object_id=order.id,
               merchant_id=order.supplier_merchant_id)  # fmt: skip
    work.emit("rewards.mall_order_cancelled", order.id, member_id=order.member_id, points=order.points)
    return _order(repo, order.id)


@handlers.register(authorize=access.system)
def expire_mall_orders(command: ExpireMallOrders, work: Work) -> ExpiredOrders:
    repo = MallRepository(work.connection, work.alliance_id)
    done = []
    for order in repo.overdue_orders(ensure_utc(command.as_of)):
        _void(work, repo, order, OrderState.EXPIRED)
        work.emit("rewards.mall_order_expired", order.id, member_id=order.member_id, points=order.points)
        done.append(order.id)
    if done:
        work.audit("rewards.mall.expire_orders", object_type="mall_orders", object_id=work.alliance_id,
                   details={"orders": len(done)})  # fmt: skip
    return ExpiredOrders(tuple(done))


def _void(work: Work, repo: MallRepository, order: MallOrder, to: OrderState) -> None:
    if not repo.close_order(order.id, to=to, now=work.now):
        raise OrderNotOpen(order_id=order.id, state=order.state.value)
    # When the ledger's own hold expiry voided it already, the points are back.
    with contextlib.suppress(HoldNotActive):
        if order.hold_id != NO_HOLD:
            _ledger(work).void_hold(
                order.hold_id, idempotency_key=f"mall:{order.id}:void", reference=f"mall_order:{order.id}"
            )
    repo.return_stock(order.item_id, order.quantity)


# --- fulfilment --------------------------------------------------------------------------------


@handlers.register(authorize=access.staff_or_operator)
def confirm_pickup(command: ConfirmPickup, work: Work) -> MallOrder:
    repo = MallRepository(work.connection, work.alliance_id)
    order = repo.order_by_pickup_code(command.pickup_code.strip())
    if order is None or order.delivery is not Delivery.PICKUP:
        raise MallOrderNotFound(pickup_code=command.pickup_code)
    actor = work.actor
    own_store = actor.kind is ActorKind.STAFF and (
        command.store_id in actor.store_ids or actor.role == "owner"
    )
    if actor.merchant_id != order.supplier_merchant_id or not own_store:
        raise NotTheSupplier(order_id=order.id)
    fulfilled = _fulfil(work, repo, order, OrderState.PICKED_UP, store_id=command.store_id,
                        fulfilled_by=actor.id)  # fmt: skip
    work.audit("rewards.mall.confirm_pickup", object_type="mall_order", object_id=order.id,
               merchant_id=order.supplier_merchant_id, store_id=command.store_id)  # fmt: skip
    return fulfilled


@handlers.register(authorize=access.staff_or_operator)
def ship_mall_order(command: ShipMallOrder, work: Work) -> MallOrder:
    if not command.carrier.strip() or not command.tracking_no.strip():
        raise ShippingInvalid(fields=["carrier", "tracking_no"])
    repo = MallRepository(work.connection, work.alliance_id)
    order = _order(repo, command.order_id)
    if order.delivery is not Delivery.SHIPPING:
        raise WrongDelivery(order_id=order.id, delivery=order.delivery.value)
    actor = work.actor
    if actor.kind is ActorKind.STAFF and (
        actor.merchant_id != order.supplier_merchant_id or actor.role not in access.MERCHANT_ROLES
    ):
        raise NotTheSupplier(order_id=order.id)
    if actor.kind is ActorKind.OPERATOR and order.supplier_merchant_id is not None:
        raise NotTheSupplier(order_id=order.id)
    fulfilled = _fulfil(
        work, repo, order, OrderState.SHIPPED, carrier=command.carrier.strip(),
        tracking_no=command.tracking_no.strip(), fulfilled_by=actor.id,
    )  # fmt: skip
    work.audit("rewards.mall.ship_order", object_type="mall_order", object_id=order.id,
               merchant_id=order.supplier_merchant_id,
               details={"carrier": fulfilled.carrier, "tracking_no": fulfilled.tracking_no})  # fmt: skip
    return fulfilled


def _fulfil(work: Work, repo: MallRepository, order: MallOrder, to: OrderState, **values: Any) -> MallOrder:
    """Once: close the order, commit the hold, settle the sale in FEN."""
    if not repo.close_order(order.id, to=to, now=work.now, **values):
        raise OrderNotOpen(order_id=order.id, state=order.state.value)
    ledger = _ledger(work)
    if order.hold_id != NO_HOLD:
        ledger.commit_hold(
            order.hold_id, idempotency_key=f"mall:{order.id}:commit", reference=f"mall_order:{order.id}"
        )
    rate = loyalty_queries.settings(work.connection, work.alliance_id).redeem_points_per_yuan
    sale = settle_order(
        points=order.points, purchase_price_fen=order.purchase_price_fen, points_per_yuan=rate
    )
    supplier = (
        chart.merchant_settlement(order.supplier_merchant_id)
        if order.supplier_merchant_id
        else ALLIANCE_SUPPLIERS
    )
    lines = [
        (CLEARING, sale.points_value_fen),
        (supplier, -sale.supplier_fen),
        (MALL_MARGIN, -sale.margin_fen),
    ]
    postings = [Posting(account, Unit.FEN, amount) for account, amount in lines if amount]
    entry_id = None
    if postings:
        entry_id = ledger.post(
            kind=MALL_SETTLEMENT_KIND, postings=postings, idempotency_key=f"mall:{order.id}:settle",
            reference=f"mall_order:{order.id}", member_id=order.member_id,
        ).entry_id  # fmt: skip
    repo.set_order(order.id, settlement_entry_id=entry_id)
    work.emit(
        "rewards.mall_order_fulfilled", order.id, state=to.value, member_id=order.member_id,
        supplier_merchant_id=order.supplier_merchant_id, points=order.points,
        points_value_fen=sale.points_value_fen, supplier_fen=sale.supplier_fen, margin_fen=sale.margin_fen,
    )  # fmt: skip
    return _order(repo, order.id)
