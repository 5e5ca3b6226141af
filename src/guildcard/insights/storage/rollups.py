"""Reads and writes of the rollups: one day replaced at a time, ranges read by (alliance, day)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    delete,
    distinct,
    func,
    insert,
    literal,
    select,
    update,
)

from guildcard.insights.domain.facts import DailyTotal, MemberDay, StoreDay
from guildcard.insights.domain.windows import Grain, window_of
from guildcard.insights.storage.tables import (
    cursors,
    daily_totals,
    first_purchases,
    member_days,
    member_merchant_months,
    member_months,
    store_days,
)


@dataclass(frozen=True)
class FirstPurchase:
    member_id: str
    day: date
    merchant_id: str
    store_id: str


_CHUNK = 500
WHOLE_MONTH = 20_000  # more members touched in a month than this: recompute the whole month
# members per month statement: each one scans the month's daily rows once (by the day key), so few
# large batches (5,000 bound ids stays under SQLite's and PostgreSQL's parameter limits)
_MONTH_CHUNK = 5_000


class RollupRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn, self.alliance_id = conn, alliance_id

    # --- the cursor --------------------------------------------------------------------

    def cursor(self) -> str:
        c = cursors.c
        found = self.conn.execute(select(c.last_event_id).where(c.alliance_id == self.alliance_id)).scalar()
        return str(found or "")

    def set_cursor(self, event_id: str, now: datetime) -> None:
        c = cursors.c
        done = self.conn.execute(
            update(cursors)
            .where(c.alliance_id == self.alliance_id)
            .values(last_event_id=event_id, refreshed_at=now)
        )
        if not done.rowcount:
            self.conn.execute(
                insert(cursors).values(alliance_id=self.alliance_id, last_event_id=event_id, refreshed_at=now)
            )

    # --- one day -----------------------------------------------------------------------

    def replace_day(self, day: date, members: Sequence[MemberDay], stores: Sequence[StoreDay]) -> None:
        a = self.alliance_id
        self.conn.execute(delete(member_days).where(member_days.c.alliance_id == a, member_days.c.day == day))
        self.conn.execute(delete(store_days).where(store_days.c.alliance_id == a, store_days.c.day == day))
        if members:
            self.conn.execute(insert(member_days), [{"alliance_id": a, **vars(r)} for r in members])
        if stores:
            self.conn.execute(insert(store_days), [{"alliance_id": a, **vars(s)} for s in stores])

    def members_of_day(self, day: date) -> set[str]:
        c = member_days.c
        found = self.conn.execute(
            select(c.member_id).distinct().where(c.alliance_id == self.alliance_id, c.day == day)
        )
        return set(found.scalars())

    def refresh_months(self, touched: Mapping[date, Collection[str] | None]) -> None:
        """Recompute the member-month rows of the members touched in each month (``None``: all of
        them) from the daily rows: work proportional to those members' month, not to history."""
        for month, members in sorted(touched.items()):
            if members is None or len(members) > WHOLE_MONTH:
                self._month_rows(month, None)
                continue
            ids = sorted(members)
            for start in range(0, len(ids), _MONTH_CHUNK):
                self._month_rows(month, ids[start : start + _MONTH_CHUNK])

    def _month_rows(self, month: date, members: list[str] | None) -> None:
        a, md = self.alliance_id, member_days.c
        where: list[ColumnElement[bool]] = [
            md.alliance_id == a, md.day >= month, md.day < window_of(month, Grain.MONTH).end, md.orders > 0
        ]  # fmt: skip
        if members is not None:
            where.append(md.member_id.in_(members))
        sums = [func.count(distinct(md.day)), func.sum(md.orders), func.sum(md.sales_fen)]
        for table, keys, extra in (
            (member_months, [md.member_id], []),
            (member_merchant_months, [md.member_id, md.merchant_id], [func.sum(md.points)]),
        ):
            t = table.c
            gone = delete(table).where(t.alliance_id == a, t.month_start == month)
            self.conn.execute(gone if members is None else gone.where(t.member_id.in_(members)))
            columns = [c.name for c in table.columns]
            rows = (
                select(md.alliance_id, literal(month, Date).label("month_start"), *keys, *sums, *extra,
                       func.min(md.day), func.max(md.day))
                .where(*where)
                .group_by(md.alliance_id, *keys)
            )  # fmt: skip
            self.conn.execute(insert(table).from_select(columns, rows))

    def totals_of(self, day: date) -> list[DailyTotal]:
        c = daily_totals.c
        rows = self.conn.execute(select(daily_totals).where(c.alliance_id == self.alliance_id, c.day == day))
        return [
            DailyTotal(r.day, r.merchant_id, r.store_id, int(r.orders), int(r.sales_fen), r.items)
            for r in rows
        ]

    def put_total(self, total: DailyTotal, *, now: datetime, actor_id: str) -> None:
        c = daily_totals.c
        self.conn.execute(
            delete(daily_totals).where(
                c.alliance_id == self.alliance_id, c.day == total.day, c.store_id == total.store_id
            )
        )
        self.conn.execute(
            insert(daily_totals).values(
                alliance_id=self.alliance_id, reported_at=now, actor_id=actor_id, **vars(total)
            )
        )

    def note_first_purchases(self, members: Sequence[MemberDay]) -> None:
        """Keep each member's first purchase: the earliest day seen (a backfill may move it back)."""
        earliest: dict[str, MemberDay] = {}
        for r in sorted(members, key=lambda r: (r.day, r.merchant_id, r.store_id)):
            earliest.setdefault(r.member_id, r)
        known = self.first_purchases(earliest)
        c = first_purchases.c
        fresh = [r for m, r in earliest.items() if m not in known]
        if fresh:
            self.conn.execute(
                insert(first_purchases),
                [{"alliance_id": self.alliance_id, "member_id": r.member_id, "day": r.day,
                  "merchant_id": r.merchant_id, "store_id": r.store_id} for r in fresh],
            )  # fmt: skip
        for m, r in earliest.items():
            if m in known and r.day < known[m].day:
                self.conn.execute(
                    update(first_purchases)
                    .where(c.alliance_id == self.alliance_id, c.member_id == m)
                    .values(day=r.day, merchant_id=r.merchant_id, store_id=r.store_id)
                )

    # --- ranges ------------------------------------------------------------------------

    def first_purchases(self, member_ids: Collection[str] | None = None) -> dict[str, FirstPurchase]:
        c = first_purchases.c
        base = select(c.member_id, c.day, c.merchant_id, c.store_id).where(c.alliance_id == self.alliance_id)
        if member_ids is None:
            return {r[0]: FirstPurchase(*r) for r in self.conn.execute(base)}
        ids, found = list(member_ids), {}
        for start in range(0, len(ids), _CHUNK):
            rows = self.conn.execute(base.where(c.member_id.in_(ids[start : start + _CHUNK])))
            found.update({r[0]: FirstPurchase(*r) for r in rows})
        return found

    def member_days(
        self,
        start: date,
        end: date,
        *,
        merchant_ids: Collection[str] | None = None,
        store_id: str | None = None,
    ) -> list[MemberDay]:
        c = member_days.c
        stmt = select(member_days).where(c.alliance_id == self.alliance_id, c.day >= start, c.day < end)
        if merchant_ids is not None:
            stmt = stmt.where(c.merchant_id.in_(list(merchant_ids)))
        if store_id is not None:
            stmt = stmt.where(c.store_id == store_id)
        return [
            MemberDay(r.day, r.member_id, r.merchant_id, r.store_id, int(r.orders), int(r.sales_fen),
                      int(r.items), int(r.item_orders), int(r.points))
            for r in self.conn.execute(stmt)
        ]  # fmt: skip

    def store_days(
        self,
        start: date,
        end: date,
        *,
        merchant_ids: Collection[str] | None = None,
        store_id: str | None = None,
    ) -> list[StoreDay]:
        c = store_days.c
        stmt = select(store_days).where(c.alliance_id == self.alliance_id, c.day >= start, c.day < end)
        if merchant_ids is not None:
            stmt = stmt.where(c.merchant_id.in_(list(merchant_ids)))
        if store_id is not None:
            stmt = stmt.where(c.store_id == store_id)
        return [
            StoreDay(r.day, r.merchant_id, r.store_id, int(r.member_orders), int(r.member_sales_fen),
                     int(r.other_orders), int(r.other_sales_fen), int(r.items), int(r.item_orders),
                     bool(r.reports_all_sales))
            for r in self.conn.execute(stmt)
        ]  # fmt: skip
