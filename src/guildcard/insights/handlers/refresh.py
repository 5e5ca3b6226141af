"""Keep the daily rollups current from the outbox: only the days that new events touched.

``RefreshRollups`` reads the counter's purchase, refund and backfill events and the reported
daily totals written since its cursor, recomputes each business day they touch from that day's
purchases (work proportional to the day, not to history), then the member-month rows of the
members those days touched, and moves the cursor. It re-reads
the last minute of events each time (an event id is taken before its transaction commits, so a
slow commit may land behind the cursor); recomputing a day twice gives the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from guildcard.counter import queries as counter_queries
from guildcard.insights import access
from guildcard.insights.domain.facts import Sale, roll_up
from guildcard.insights.domain.windows import Grain, window_of
from guildcard.insights.handlers.base import handlers
from guildcard.insights.storage.rollups import RollupRepository
from guildcard.insights.storage.sales import SalesRepository
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.pipeline import Command, Work, outbox

SALES_EVENTS = (
    "counter.purchase_recorded", "counter.purchase_refunded", "insights.daily_total_reported",
    "insights.walk_in_recorded",
)  # fmt: skip
SETTLE_LAG = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class RefreshRollups(Command):
    scope = "insights.refresh"
    days: tuple[date, ...] = ()  # also recompute these days (a rebuild)


@dataclass(frozen=True)
class Refreshed:
    events: int
    days: list[date]
    cursor: str


def _operator(actor: Actor, _command: object) -> None:
    access.require_operator(actor)


@handlers.register(authorize=_operator)
def refresh_rollups(command: RefreshRollups, work: Work) -> Refreshed:
    repo = RollupRepository(work.connection, work.alliance_id)
    cursor, seen, days = repo.cursor(), 0, set(command.days)
    settled = cursor
    while True:
        events = outbox.after(work.connection, work.alliance_id, cursor, SALES_EVENTS)
        if not events:
            break
        days |= _days_of(work, events)
        seen += len(events)
        cursor = events[-1].id
        settled = max([settled, *(e.id for e in events if e.occurred_at < work.now - SETTLE_LAG)])
    touched: dict[date, set[str]] = defaultdict(set)  # month -> members whose month changed
    for day in sorted(days):
        month = window_of(day, Grain.MONTH).start
        touched[month] |= repo.members_of_day(day)  # before: a member may drop out of the day
        recompute_day(work, repo, day)
        touched[month] |= repo.members_of_day(day)
    repo.refresh_months(touched)
    repo.set_cursor(settled, work.now)
    work.emit(
        "insights.rollups_refreshed",
        work.alliance_id,
        events=seen,
        days=[d.isoformat() for d in sorted(days)],
    )
    return Refreshed(seen, sorted(days), settled)


def _days_of(work: Work, events: list[outbox.StoredEvent]) -> set[date]:
    days: set[date] = set()
    refunded: list[str] = []
    items: dict[str, int] = {}
    for e in events:
        if e.name == "counter.purchase_recorded":
            days.add(business_date(datetime.fromisoformat(str(e.payload["occurred_at"]))))
            if e.payload.get("items") is not None:
                items[e.subject] = int(e.payload["items"])
        elif e.name == "counter.purchase_refunded":
            refunded.append(str(e.payload["purchase_id"]))
        else:
            days.add(date.fromisoformat(str(e.payload["day"])))
    SalesRepository(work.connection, work.alliance_id).put_items(items)
    found = counter_queries.occurred_at_of(work.connection, work.alliance_id, refunded)
    return days | {business_date(at) for at in found.values()}


def recompute_day(work: Work, repo: RollupRepository, day: date) -> None:
    """The day's rows from its member purchases (with their item counts) and walk-in sales."""
    start, end = start_of_business_day(day), start_of_business_day(day + timedelta(days=1))
    rows = counter_queries.sales_between(
        work.connection, work.alliance_id, occurred_from=start, occurred_until=end
    )
    sales_repo = SalesRepository(work.connection, work.alliance_id)
    items = sales_repo.items_of([r.purchase_id for r in rows])
    sales = [
        Sale(
            day,
            r.merchant_id,
            r.store_id,
            r.net_fen,
            r.member_id,
            items.get(r.purchase_id),
            points=r.points_earned,
        )
        for r in rows
    ]
    sales += [
        Sale(day, w.merchant_id, w.store_id, w.amount_fen, None, w.items)
        for w in sales_repo.walk_ins_between(start, end)
    ]
    members, stores = roll_up(sales, repo.totals_of(day))
    repo.replace_day(day, members, stores)
    repo.note_first_purchases(members)
