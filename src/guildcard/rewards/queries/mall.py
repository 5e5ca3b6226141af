"""Reads of the points mall for pages, the counter and the API, on the caller's connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.ledger.queries import LedgerQueries
from guildcard.privacy.cipher import FieldCipher
from guildcard.rewards.domain.mall import MallItem, on_sale, visible_to
from guildcard.rewards.domain.mall_errors import MallItemNotFound, MallOrderNotFound, NotTheSupplier
from guildcard.rewards.handlers.mall import MALL_MARGIN
from guildcard.rewards.storage.mall_repository import MallOrder, MallRepository


@dataclass(frozen=True)
class PickupPreview:
    """What the cashier sees after typing the code, before confirming."""

    order_id: str
    title: str
    quantity: int
    points: int
    cash_fen: int
    state: str
    member_id: str
    created_at: datetime
    expires_at: datetime


class MallQueries:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn = conn
        self.alliance_id = alliance_id
        self.repo = MallRepository(conn, alliance_id)

    def item(self, item_id: str) -> MallItem:
        item = self.repo.item(item_id)
        if item is None:
            raise MallItemNotFound(item_id=item_id)
        return item

    def catalogue(
        self, *, tier: str | None, now: datetime, category: str = "", search: str = ""
    ) -> list[MallItem]:
        """What a member of ``tier`` may order now, by category and a word of the title."""
        found = [i for i in self.repo.items() if visible_to(i, tier) and on_sale(i, now)]
        if category:
            found = [i for i in found if i.category == category]
        if search:
            needle = search.strip().lower()
            found = [i for i in found if needle in i.title.lower() or needle in i.description.lower()]
        return found

    def categories(self) -> list[str]:
        return sorted({i.category for i in self.repo.items() if i.category})

    def items(self, *, supplier: str | None = None) -> list[MallItem]:
        return self.repo.items(supplier=supplier, everything=True)

    def member_orders(self, member_id: str) -> list[MallOrder]:
        return self.repo.orders(member_id=member_id)

    def member_order(self, member_id: str, order_id: str) -> MallOrder:
        order = self.repo.order(order_id)
        if order is None or order.member_id != member_id:
            raise MallOrderNotFound(order_id=order_id)
        return order

    def supplier_orders(self, merchant_id: str | None, *, state: str | None = None) -> list[MallOrder]:
        return self.repo.orders(supplier=merchant_id, state=state)

    def all_orders(self) -> list[MallOrder]:
        return self.repo.orders()

    def pickup_preview(self, code: str, merchant_id: str | None) -> PickupPreview:
        order = self.repo.order_by_pickup_code(code.strip())
        if order is None:
            raise MallOrderNotFound(pickup_code=code)
        if order.supplier_merchant_id != merchant_id:
            raise NotTheSupplier(order_id=order.id)
        return PickupPreview(
            order.id, order.title, order.quantity, order.points, order.cash_fen, order.state.value,
            order.member_id, order.created_at, order.expires_at,
        )  # fmt: skip

    def shipping_address(self, order_id: str, merchant_id: str | None, cipher: FieldCipher) -> str:
        """The address in clear, for the supplier who ships the order (and nobody else)."""
        order = self.repo.order(order_id)
        if order is None:
            raise MallOrderNotFound(order_id=order_id)
        if order.supplier_merchant_id != merchant_id:
            raise NotTheSupplier(order_id=order_id)
        sealed = self.repo.sealed_address(order_id)
        return "" if sealed is None else cipher.decrypt(sealed, context=f"mall_order:{order_id}")

    def addresses(self, member_id: str) -> list[tuple[str, str]]:
        return [(r.id, r.label) for r in self.repo.addresses(member_id)]

    def picture(self, picture_id: str) -> tuple[str, bytes] | None:
        return self.repo.picture(picture_id)

    def margin_fen(self) -> int:
        """The alliance's mall margin so far (a revenue: shown as a positive amount)."""
        return -LedgerQueries(self.conn, alliance_id=self.alliance_id).account_balance(MALL_MARGIN)
