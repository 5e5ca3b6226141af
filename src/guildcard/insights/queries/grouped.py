"""Dashboards computed by SQL ``GROUP BY`` over the daily rollups (issue 16's speed targets).

The Python path (``domain/metrics.py`` over every rollup row of the range) stays the definition
the unit tests pin; these queries compute the same figures inside the database and return one
row per window (trend), per (cohort, offset) (cohorts) or per member (RFM facts), so what
crosses into Python is the answer, not the rows. ``tests/integration/insights/test_grouped.py``
checks both paths agree on both backends.

Windows are numbered by a ``CASE`` over their bounds (portable across SQLite and PostgreSQL, and
any contiguous windows: months, weeks, quarters or custom ranges). Bucket 0 is the window before
the first one asked for (churn needs it). The bucket is computed in a subquery and grouped on
outside: PostgreSQL binds parameters server-side and would not see two equal ``CASE``s as one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Connection,
    Subquery,
    Table,
    and_,
    case,
    distinct,
    func,
    literal,
    select,
)

from guildcard.insights.domain.cohorts import month_index
from guildcard.insights.domain.metrics import MetricSet, SalesTotals, activation_rate, ratio
from guildcard.insights.domain.metrics import (
    average_order_value_fen as _aov,
)
from guildcard.insights.domain.metrics import (
    conversion_rate as _conversion,
)
from guildcard.insights.domain.metrics import (
    items_per_order as _ipo,
)
from guildcard.insights.domain.metrics import (
    member_sales_share as _share,
)
from guildcard.insights.domain.rfm import MemberFacts
from guildcard.insights.domain.windows import Grain, Window, window_of
from guildcard.insights.queries import monthly
from guildcard.insights.storage.tables import first_purchases, member_days, store_days


def _bucket(day: ColumnElement[date], windows: Sequence[Window]) -> ColumnElement[int]:
    return case(*[(and_(day >= w.start, day < w.end), literal(i)) for i, w in enumerate(windows)])


@dataclass(frozen=True)
class Activity:
    active: int
    repeat: int  # active on two or more days
    pairs: int  # active (member, merchant) pairs
    repeat_pairs: int
    lost: int  # active in this window, not in the next


def _scoped(
    table: Table, alliance_id: str, merchant_ids: Collection[str] | None, store_id: str | None
) -> list[ColumnElement[bool]]:
    c = table.c
    where: list[ColumnElement[bool]] = [c.alliance_id == alliance_id]
    if merchant_ids is not None:
        where.append(c.merchant_id.in_(list(merchant_ids)))
    if store_id is not None:
        where.append(c.store_id == store_id)
    return where


def activity(
    conn: Connection, alliance_id: str, windows: Sequence[Window], *,
    merchant_ids: Collection[str] | None = None, store_id: str | None = None,
) -> dict[int, Activity]:  # fmt: skip
    """Per window index: active members, repeaters, (member, merchant) pairs, and who was lost next."""
    if monthly.can_read(windows, merchant_ids=merchant_ids, store_id=store_id):
        counts = monthly.activity_counts(conn, alliance_id, windows, merchant_ids=merchant_ids)
        return {i: Activity(*v) for i, v in counts.items()}
    if len(windows) > 62:
        raise ValueError("at most 62 windows")
    md = member_days.c
    where = _scoped(member_days, alliance_id, merchant_ids, store_id)
    where += [md.day >= windows[0].start, md.day < windows[-1].end, md.orders > 0]
    bit = case(*[(and_(md.day >= w.start, md.day < w.end), literal(1 << i)) for i, w in enumerate(windows)])
    rows = select(
        _bucket(md.day, windows).label("b"), bit.label("bit"), md.member_id, md.merchant_id, md.day
    ).where(*where)
    inner: Subquery = rows.subquery("rows")
    found: dict[int, list[int]] = {i: [0, 0, 0, 0, 0] for i in range(len(windows))}
    for slot, keys in (
        (0, (inner.c.b, inner.c.member_id)),
        (2, (inner.c.b, inner.c.member_id, inner.c.merchant_id)),
    ):
        per = select(inner.c.b, func.count(distinct(inner.c.day)).label("d")).group_by(*keys).subquery("per")
        counted = select(per.c.b, func.count(), func.sum(case((per.c.d >= 2, 1), else_=0))).group_by(per.c.b)
        for b, n, repeat in conn.execute(counted):
            found[int(b)][slot : slot + 2] = [int(n), int(repeat or 0)]
    # who was lost next: each member's active windows as a bit mask (no self-join), counted by mask
    masks = (
        select(func.sum(distinct(inner.c.bit)).label("mask")).group_by(inner.c.member_id).subquery("masks")
    )
    for mask, n in conn.execute(select(masks.c.mask, func.count()).group_by(masks.c.mask)):
        value = int(mask)
        for i in range(len(windows) - 1):
            if value >> i & 1 and not value >> (i + 1) & 1:
                found[i][4] += int(n)
    return {i: Activity(*v) for i, v in found.items()}


def sales(
    conn: Connection, alliance_id: str, windows: Sequence[Window], *,
    merchant_ids: Collection[str] | None = None, store_id: str | None = None,
) -> dict[int, tuple[SalesTotals, int]]:  # fmt: skip
    """Per window index: the store-day sums ``sales_totals`` takes, and how many stores reported."""
    sd = store_days.c
    where = _scoped(store_days, alliance_id, merchant_ids, store_id)
    where += [sd.day >= windows[0].start, sd.day < windows[-1].end]
    reports = sd.reports_all_sales.is_(True)
    inner = select(
        _bucket(sd.day, windows).label("b"), sd.store_id, sd.member_orders, sd.member_sales_fen,
        sd.other_orders, sd.other_sales_fen, sd["items"], sd.item_orders,
        case((reports, sd.member_orders), else_=0).label("rmo"),
        case((reports, sd.member_sales_fen), else_=0).label("rms"),
        case((reports, sd.store_id)).label("reporting"),
    ).where(*where).subquery("sd")  # fmt: skip
    c = inner.c
    sums = [func.coalesce(func.sum(x), 0) for x in (c.member_orders, c.member_sales_fen, c.other_orders,
            c.other_sales_fen, c["items"], c.item_orders, c.rmo, c.rms)]  # fmt: skip
    stmt = select(c.b, *sums, func.count(distinct(c.reporting))).group_by(c.b)
    empty = SalesTotals(0, 0, 0, 0, 0, 0, 0, 0, frozenset())
    found = dict.fromkeys(range(len(windows)), (empty, 0))
    for b, mo, ms, oo, os_, items, io, rmo, rms, reporting in conn.execute(stmt):
        totals = SalesTotals(int(mo), int(ms), int(oo), int(os_), int(items), int(io), int(rmo), int(rms),
                             frozenset())  # fmt: skip
        found[int(b)] = (totals, int(reporting))
    return found


def metric_sets(
    conn: Connection, alliance_id: str, windows: Sequence[Window], *,
    registered: Mapping[str, date], first_purchase: Mapping[str, date],
    merchant_ids: Collection[str] | None = None, store_id: str | None = None, activation_days: int = 30,
) -> list[MetricSet]:  # fmt: skip
    """``windows[1:]``'s metric sets (``windows[0]`` is the one before, for churn)."""
    acts = activity(conn, alliance_id, windows, merchant_ids=merchant_ids, store_id=store_id)
    totals = sales(conn, alliance_id, windows, merchant_ids=merchant_ids, store_id=store_id)
    out = []
    for i, w in enumerate(windows[1:], start=1):
        a, before, (t, reporting) = acts[i], acts[i - 1], totals[i]
        out.append(
            MetricSet(
                period=w.key,
                new_members=sum(1 for day in registered.values() if day in w),
                activation_rate=activation_rate(registered, first_purchase, w, within_days=activation_days),
                active_members=a.active,
                churn_rate=ratio(before.lost, before.active),
                member_sales_share=_share(t),
                repurchase_rate=ratio(a.repeat, a.active),
                merchant_repurchase_rate=ratio(a.repeat_pairs, a.pairs),
                average_order_value_fen=_aov(t),
                items_per_order=_ipo(t),
                conversion_rate=_conversion(t),
                member_sales_fen=t.member_sales_fen,
                member_orders=t.member_orders,
                reporting_stores=reporting,
            )
        )
    return out


def first_purchase_days(
    conn: Connection, alliance_id: str, *, since: date, until: date | None = None
) -> dict[str, tuple[date, str, str]]:
    """member -> (day, merchant, store) of the first purchases on or after ``since`` (one range read)."""
    c = first_purchases.c
    stmt = select(c.member_id, c.day, c.merchant_id, c.store_id).where(
        c.alliance_id == alliance_id, c.day >= since
    )
    if until is not None:
        stmt = stmt.where(c.day < until)
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(stmt)}


def active_months(
    conn: Connection, alliance_id: str, *, first_month: int, last_day: date
) -> dict[str, set[int]]:
    """member -> month indexes with a purchase, from ``first_month`` to ``last_day``'s month.

    One row per member comes back: the months are summed as distinct powers of two in SQL (a bit
    mask, at most 62 months) over the member-month rows (``monthly.active_months``).
    """
    last = month_index(last_day)
    months = [window_of(date(i // 12, i % 12 + 1, 1), Grain.MONTH) for i in range(first_month, last + 1)]
    masks = monthly.active_months(conn, alliance_id, months=months, last_day=last_day)
    return {m: {first_month + k for k in range(len(months)) if mask >> k & 1} for m, mask in masks.items()}


def member_facts(
    conn: Connection, alliance_id: str, *, since: date, as_of: date, trade_of: Mapping[str, str],
    merchant_ids: Collection[str] | None = None,
) -> dict[str, MemberFacts]:  # fmt: skip
    """``rfm.member_facts`` over the rollups of ``[since, as_of)``: the month rows for the alliance
    or one merchant, else one ``GROUP BY member_id`` over the daily rows."""
    if merchant_ids is None or len(merchant_ids) == 1:
        return monthly.member_facts(
            conn, alliance_id, since=since, as_of=as_of, trade_of=trade_of, merchant_ids=merchant_ids
        )
    md = member_days.c
    where = _scoped(member_days, alliance_id, merchant_ids, None)
    where += [md.day >= since, md.day < as_of, md.orders > 0]
    trade = case(*[(md.merchant_id == m, literal(t)) for m, t in trade_of.items()], else_=md.merchant_id)
    inner = select(md.member_id, md.day, md.orders, md.sales_fen, md.merchant_id, trade.label("trade"))
    rows = inner.where(*where).subquery("facts")
    c = rows.c
    stmt = select(
        c.member_id, func.min(c.day), func.max(c.day), func.count(distinct(c.day)), func.sum(c.orders),
        func.sum(c.sales_fen), func.count(distinct(c.merchant_id)), func.count(distinct(c.trade)),
    ).group_by(c.member_id)  # fmt: skip
    return monthly.facts_of_rows(conn.execute(stmt), as_of=as_of)
