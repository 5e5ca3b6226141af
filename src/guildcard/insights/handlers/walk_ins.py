"""A non-member purchase (no member, no points) from the counter or a POS: all sales, not only members'.

Idempotent on (merchant, order number), like the counter's purchases: the same order again
returns the first sale; the same number with another amount is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from guildcard.alliance import queries as alliance_queries
from guildcard.insights import access
from guildcard.insights.domain.errors import BadDailyTotal, InsightsNotAllowed, WalkInConflict
from guildcard.insights.handlers.base import handlers
from guildcard.insights.storage.sales import SalesRepository, WalkIn
from guildcard.kernel.clock import business_date
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work


@dataclass(frozen=True, kw_only=True)
class RecordWalkIn(Command):
    scope = "insights.walk_in"
    store_id: str
    order_no: str
    amount_fen: int
    items: int | None = None
    occurred_at: datetime | None = None  # None: now


def _valid(command: RecordWalkIn) -> bool:
    whole = (
        isinstance(command.amount_fen, int)
        and not isinstance(command.amount_fen, bool)
        and command.amount_fen > 0
    )
    items_ok = command.items is None or (isinstance(command.items, int) and command.items >= 0)
    return whole and items_ok and bool(command.order_no.strip()) and len(command.order_no) <= 64


@handlers.register()
def record_walk_in(command: RecordWalkIn, work: Work) -> WalkIn:
    if not _valid(command):
        raise BadDailyTotal()
    store = alliance_queries.open_store(work.connection, work.alliance_id, command.store_id)
    if store is None or not access.may_record_sale_at(work.actor, store.merchant_id, store.store_id):
        raise InsightsNotAllowed()
    repo = SalesRepository(work.connection, work.alliance_id)
    order_no = command.order_no.strip()
    if (seen := repo.walk_in(store.merchant_id, order_no)) is not None:
        if (seen.amount_fen, seen.items, seen.store_id) != (
            command.amount_fen,
            command.items,
            store.store_id,
        ):
            raise WalkInConflict(order_no=order_no)
        work.replayed = True
        return seen
    at = command.occurred_at or work.now
    sale = WalkIn(
        new_id("wlk"), store.merchant_id, store.store_id, order_no, command.amount_fen, command.items, at
    )
    repo.add_walk_in(sale, now=work.now, actor_id=work.actor.id)
    work.emit(
        "insights.walk_in_recorded", sale.sale_id, merchant_id=store.merchant_id, store_id=store.store_id,
        amount_fen=sale.amount_fen, items=sale.items, day=business_date(at).isoformat(),
    )  # fmt: skip
    return sale
