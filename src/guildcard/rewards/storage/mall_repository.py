"""Rows of the points mall, on the caller's connection (never commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from guildcard.rewards.domain.mall import Delivery, ItemKind, MallItem, OrderState
from guildcard.rewards.storage.mall_tables import mall_addresses, mall_items, mall_orders, mall_pictures


@dataclass(frozen=True, kw_only=True)
class MallOrder:
    id: str
    item_id: str
    member_id: str
    supplier_merchant_id: str | None
    title: str
    quantity: int
    points: int
    cash_fen: int
    purchase_price_fen: int
    delivery: Delivery
    state: OrderState
    hold_id: str
    pickup_code: str | None
    voucher_code: str | None
    carrier: str | None
    tracking_no: str | None
    store_id: str | None
    created_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    has_address: bool = False


def item_of(row: Any) -> MallItem:
    return MallItem(
        id=row.id,
        supplier_merchant_id=row.supplier_merchant_id,
        kind=ItemKind(row.kind),
        title=row.title,
        description=row.description,
        category=row.category,
        picture_ids=tuple(row.picture_ids or ()),
        points=int(row.points),
        cash_fen=int(row.cash_fen),
        purchase_price_fen=int(row.purchase_price_fen),
        stock=None if row.stock is None else int(row.stock),
        per_day_limit=row.per_day_limit,
        total_limit=row.total_limit,
        tiers=frozenset(row.tiers or ()),
        sale_starts_at=row.sale_starts_at,
        sale_ends_at=row.sale_ends_at,
        delivery=Delivery(row.delivery),
        active=bool(row.active),
        coupon_template_id=row.coupon_template_id,
    )


def item_values(item: MallItem) -> dict[str, Any]:
    return {
        "id": item.id, "supplier_merchant_id": item.supplier_merchant_id, "kind": item.kind.value,
        "title": item.title, "description": item.description, "category": item.category,
        "picture_ids": list(item.picture_ids), "points": item.points, "cash_fen": item.cash_fen,
        "purchase_price_fen": item.purchase_price_fen, "stock": item.stock,
        "per_day_limit": item.per_day_limit, "total_limit": item.total_limit, "tiers": sorted(item.tiers),
        "sale_starts_at": item.sale_starts_at, "sale_ends_at": item.sale_ends_at,
        "delivery": item.delivery.value, "active": item.active,
        "coupon_template_id": item.coupon_template_id,
    }  # fmt: skip


def order_of(row: Any) -> MallOrder:
    return MallOrder(
        id=row.id,
        item_id=row.item_id,
        member_id=row.member_id,
        supplier_merchant_id=row.supplier_merchant_id,
        title=row.title,
        quantity=int(row.quantity),
        points=int(row.points),
        cash_fen=int(row.cash_fen),
        purchase_price_fen=int(row.purchase_price_fen),
        delivery=Delivery(row.delivery),
        state=OrderState(row.state),
        hold_id=row.hold_id,
        pickup_code=row.pickup_code,
        voucher_code=row.voucher_code,
        carrier=row.carrier,
        tracking_no=row.tracking_no,
        store_id=row.store_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        closed_at=row.closed_at,
        has_address=row.address is not None,
    )


class MallRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn = conn
        self.alliance_id = alliance_id

    # --- items -----------------------------------------------------------------------------

    def add_item(self, item: MallItem, now: datetime) -> None:
        self.conn.execute(
            mall_items.insert().values(
                alliance_id=self.alliance_id, created_at=now, updated_at=now, **item_values(item)
            )
        )

    def save_item(self, item: MallItem, now: datetime) -> None:
        values = item_values(item)
        values.pop("id")
        self.conn.execute(
            update(mall_items)
            .where(mall_items.c.alliance_id == self.alliance_id, mall_items.c.id == item.id)
            .values(updated_at=now, **values)
        )

    def item(self, item_id: str) -> MallItem | None:
        row = self.conn.execute(
            select(mall_items).where(mall_items.c.alliance_id == self.alliance_id, mall_items.c.id == item_id)
        ).first()
        return None if row is None else item_of(row)

    def items(self, *, supplier: str | None = None, everything: bool = False) -> list[MallItem]:
        stmt = select(mall_items).where(mall_items.c.alliance_id == self.alliance_id)
        if supplier is not None:
            stmt = stmt.where(mall_items.c.supplier_merchant_id == supplier)
        if not everything:
            stmt = stmt.where(mall_items.c.active.is_(True))
        return [
            item_of(r) for r in self.conn.execute(stmt.order_by(mall_items.c.created_at, mall_items.c.id))
        ]

    def take_stock(self, item_id: str, quantity: int) -> bool:
        """The one conditional UPDATE that takes stock: False when fewer than ``quantity`` are left."""
        result = self.conn.execute(
            update(mall_items)
            .where(
                mall_items.c.alliance_id == self.alliance_id,
                mall_items.c.id == item_id,
                mall_items.c.stock.is_not(None),
                mall_items.c.stock >= quantity,
            )
            .values(stock=mall_items.c.stock - quantity)
        )
        return result.rowcount == 1

    def return_stock(self, item_id: str, quantity: int) -> None:
        self.conn.execute(
            update(mall_items)
            .where(
                mall_items.c.alliance_id == self.alliance_id,
                mall_items.c.id == item_id,
                mall_items.c.stock.is_not(None),
            )
            .values(stock=mall_items.c.stock + quantity)
        )

    # --- pictures --------------------------------------------------------------------------

    def add_picture(self, picture_id: str, content_type: str, data: bytes, now: datetime) -> None:
        self.conn.execute(
            mall_pictures.insert().values(
                alliance_id=self.alliance_id, id=picture_id, content_type=content_type, data=data,
                created_at=now,
            )
        )  # fmt: skip

    def picture(self, picture_id: str) -> tuple[str, bytes] | None:
        row = self.conn.execute(
            select(mall_pictures.c.content_type, mall_pictures.c.data).where(
                mall_pictures.c.alliance_id == self.alliance_id, mall_pictures.c.id == picture_id
            )
        ).first()
        return None if row is None else (row.content_type, bytes(row.data))

    # --- orders ----------------------------------------------------------------------------

    def add_order(self, values: dict[str, Any]) -> None:
        self.conn.execute(mall_orders.insert().values(alliance_id=self.alliance_id, **values))

    def ordered_by(self, member_id: str, item_id: str, business_day: str) -> tuple[int, int]:
        """(today, in total): the quantities the member ordered, cancelled and expired orders left out."""
        counted = and_(
            mall_orders.c.alliance_id == self.alliance_id,
            mall_orders.c.member_id == member_id,
            mall_orders.c.item_id == item_id,
            mall_orders.c.state.not_in([OrderState.CANCELLED.value, OrderState.EXPIRED.value]),
        )
        today = func.coalesce(
            func.sum(mall_orders.c.quantity).filter(mall_orders.c.business_day == business_day), 0
        )
        row = self.conn.execute(
            select(today, func.coalesce(func.sum(mall_orders.c.quantity), 0)).where(counted)
        ).one()
        return int(row[0]), int(row[1])

    def order(self, order_id: str) -> MallOrder | None:
        row = self.conn.execute(
            select(mall_orders).where(
                mall_orders.c.alliance_id == self.alliance_id, mall_orders.c.id == order_id
            )
        ).first()
        return None if row is None else order_of(row)

    def order_by_pickup_code(self, code: str) -> MallOrder | None:
        row = self.conn.execute(
            select(mall_orders).where(
                mall_orders.c.alliance_id == self.alliance_id, mall_orders.c.pickup_code == code
            )
        ).first()
        return None if row is None else order_of(row)

    def sealed_address(self, order_id: str) -> str | None:
        value: str | None = self.conn.execute(
            select(mall_orders.c.address).where(
                mall_orders.c.alliance_id == self.alliance_id, mall_orders.c.id == order_id
            )
        ).scalar()
        return value

    def close_order(self, order_id: str, *, to: OrderState, now: datetime, **values: Any) -> bool:
        """Move a held order on, once: False when it was not held any more (a concurrent close won)."""
        result = self.conn.execute(
            update(mall_orders)
            .where(
                mall_orders.c.alliance_id == self.alliance_id,
                mall_orders.c.id == order_id,
                mall_orders.c.state == OrderState.HELD.value,
            )
            .values(state=to.value, closed_at=now, **values)
        )
        return result.rowcount == 1

    def set_order(self, order_id: str, **values: Any) -> None:
        self.conn.execute(
            update(mall_orders)
            .where(mall_orders.c.alliance_id == self.alliance_id, mall_orders.c.id == order_id)
            .values(**values)
        )

    def orders(
        self, *, member_id: str | None = None, supplier: str | None = None, state: str | None = None
    ) -> list[MallOrder]:
        stmt = select(mall_orders).where(mall_orders.c.alliance_id == self.alliance_id)
        if member_id is not None:
            stmt = stmt.where(mall_orders.c.member_id == member_id)
        if supplier is not None:
            stmt = stmt.where(mall_orders.c.supplier_merchant_id == supplier)
        if state is not None:
            stmt = stmt.where(mall_orders.c.state == state)
        stmt = stmt.order_by(mall_orders.c.created_at.desc(), mall_orders.c.id.desc())
        return [order_of(r) for r in self.conn.execute(stmt)]

    def overdue_orders(self, as_of: datetime) -> list[MallOrder]:
        stmt = select(mall_orders).where(
            mall_orders.c.alliance_id == self.alliance_id,
            mall_orders.c.state == OrderState.HELD.value,
            mall_orders.c.expires_at <= as_of,
        )
        return [order_of(r) for r in self.conn.execute(stmt.order_by(mall_orders.c.expires_at))]

    # --- addresses -------------------------------------------------------------------------

    def add_address(self, address_id: str, member_id: str, label: str, sealed: str, now: datetime) -> None:
        self.conn.execute(
            mall_addresses.insert().values(
                alliance_id=self.alliance_id, id=address_id, member_id=member_id, label=label,
                sealed=sealed, created_at=now,
            )
        )  # fmt: skip

    def address(self, member_id: str, address_id: str) -> Any:
        return self.conn.execute(
            select(mall_addresses).where(
                mall_addresses.c.alliance_id == self.alliance_id,
                mall_addresses.c.member_id == member_id,
                mall_addresses.c.id == address_id,
                mall_addresses.c.removed_at.is_(None),
            )
        ).first()

    def addresses(self, member_id: str) -> list[Any]:
        return list(
            self.conn.execute(
                select(mall_addresses.c.id, mall_addresses.c.label)
                .where(
                    mall_addresses.c.alliance_id == self.alliance_id,
                    mall_addresses.c.member_id == member_id,
                    mall_addresses.c.removed_at.is_(None),
                )
                .order_by(mall_addresses.c.created_at)
            )
        )

    def remove_address(self, member_id: str, address_id: str, now: datetime) -> bool:
        result = self.conn.execute(
            update(mall_addresses)
            .where(
                mall_addresses.c.alliance_id == self.alliance_id,
                mall_addresses.c.member_id == member_id,
                mall_addresses.c.id == address_id,
                mall_addresses.c.removed_at.is_(None),
            )
            .values(removed_at=now)
        )
        return result.rowcount == 1
