"""A store's reported daily total (a POS Z-report): every transaction of the day, members' included.

It lets member sales share and conversion count the merchants whose POS sends no non-member
purchases one by one. Reporting again for the same day replaces the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from guildcard.alliance import queries as alliance_queries
from guildcard.insights import access
from guildcard.insights.domain.errors import BadDailyTotal, InsightsNotAllowed
from guildcard.insights.domain.facts import DailyTotal
from guildcard.insights.handlers.base import handlers
from guildcard.insights.storage.rollups import RollupRepository
from guildcard.pipeline import Command, Work


@dataclass(frozen=True, kw_only=True)
class ReportDailyTotal(Command):
    scope = "insights.daily_total"
    store_id: str
    day: date
    orders: int
    sales_fen: int
    items: int | None = None


def _whole(value: object, *, optional: bool = False) -> bool:
    if value is None:
        return optional
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@handlers.register()
def report_daily_total(command: ReportDailyTotal, work: Work) -> DailyTotal:
    if not (_whole(command.orders) and _whole(command.sales_fen) and _whole(command.items, optional=True)):
        raise BadDailyTotal()
    store = alliance_queries.open_store(work.connection, work.alliance_id, command.store_id)
    if store is None or not access.may_report_for(work.actor, store.merchant_id, store.store_id):
        raise InsightsNotAllowed()
    total = DailyTotal(
        command.day, store.merchant_id, store.store_id, command.orders, command.sales_fen, command.items
    )
    RollupRepository(work.connection, work.alliance_id).put_total(total, now=work.now, actor_id=work.actor.id)
    details = {"day": command.day.isoformat(), "orders": command.orders, "sales_fen": command.sales_fen}
    work.audit(
        "insights.report_daily_total",
        object_type="store",
        object_id=store.store_id,
        merchant_id=store.merchant_id,
        store_id=store.store_id,
        details={**details, "items": command.items},
    )
    work.emit(
        "insights.daily_total_reported",
        store.store_id,
        merchant_id=store.merchant_id,
        store_id=store.store_id,
        **details,
    )
    return total
