"""Dashboards over the member-month rollups: one row per member-month instead of per member-day.

A range ``[start, end)`` is read as its whole calendar months from ``insights_member_months``
(or ``insights_member_merchant_months``) plus its partial edge months summed from the daily rows
(``_pieces``): every piece is one row per member (per merchant) with its purchase days, orders,
sales and first and last day, so the figures equal those of the daily rows (the reference,
``tests/integration/insights/test_grouped.py``) and cost the members, not their days.

RFM scores and the value grid's levels are computed in SQL too (``RANK() OVER``: ties share the
score of their first rank, as ``rfm.quintile_scores`` and ``value.terciles`` do), and only the
counts per (R, F, M, value level, activity level, funnel step) come back (``population_summary``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    null,
    select,
    union_all,
)

from guildcard.insights.domain.rfm import SEGMENTS_BY_HIGH, MemberFacts, Segment
from guildcard.insights.domain.windows import Window, is_whole_months, whole_months
from guildcard.insights.storage.tables import member_days, member_merchant_months, member_months


def as_date(value: object) -> date:
    """SQLite hands MIN/MAX of a date column back as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _pieces(
    alliance_id: str,
    start: date,
    end: date,
    *,
    per_merchant: bool,
    merchant_ids: Collection[str] | None = None,
) -> Subquery:
    """Rows (member_id[, merchant_id], piece, first_day, last_day, purchase_days, orders, sales_fen,
    points) of ``[start, end)``: ``piece`` is the month (whole months) or the edge's first day."""
    table = member_merchant_months if per_merchant else member_months
    t, md = table.c, member_days.c
    first, stop = whole_months(start, end)
    keys = [md.member_id, md.merchant_id] if per_merchant else [md.member_id]
    points = func.sum(md.points) if per_merchant else literal(0)
    parts: list[Select[tuple[object, ...]]] = []
    edges = [(start, end)] if first >= stop else [(start, first), (stop, end)]
    for lo, hi in edges:
        if lo >= hi:
            continue
        where: list[ColumnElement[bool]] = [
            md.alliance_id == alliance_id, md.day >= lo, md.day < hi, md.orders > 0
        ]  # fmt: skip
        if merchant_ids is not None:
            where.append(md.merchant_id.in_(list(merchant_ids)))
        parts.append(
            select(*keys, literal(lo, Date).label("piece"), func.min(md.day).label("first_day"),
                   func.max(md.day).label("last_day"), func.count(distinct(md.day)).label("purchase_days"),
                   func.sum(md.orders).label("orders"), func.sum(md.sales_fen).label("sales_fen"),
                   points.label("points"))
            .where(*where).group_by(*keys)
        )  # fmt: skip
    if first < stop:
        month_keys = [t.member_id, t.merchant_id] if per_merchant else [t.member_id]
        where = [t.alliance_id == alliance_id, t.month_start >= first, t.month_start < stop]
        if merchant_ids is not None:
            where.append(t.merchant_id.in_(list(merchant_ids)))
        parts.append(
            select(*month_keys, t.month_start.label("piece"), t.first_day, t.last_day, t.purchase_days,
                   t.orders, t.sales_fen, (t.points if per_merchant else literal(0)).label("points"))
            .where(*where)
        )  # fmt: skip
    if not parts:  # an empty range
        return select(*keys, literal(start, Date).label("piece")).where(literal(False)).subquery("pieces")
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("pieces")


def can_read(
    windows: Sequence[Window], *, merchant_ids: Collection[str] | None, store_id: str | None
) -> bool:
    """Whether the month rollups answer: whole months, the alliance or one merchant (purchase days
    at several merchants do not add up), no store (the month rows have none)."""
    return (
        store_id is None
        and (merchant_ids is None or len(merchant_ids) == 1)
        and all(is_whole_months(w) for w in windows)
    )


def _member_rows(alliance_id: str, start: date, end: date, merchant_ids: Collection[str] | None) -> Subquery:
    """Per member (at the alliance, or at the one merchant given), the pieces of ``[start, end)``."""
    if merchant_ids is None:
        return _pieces(alliance_id, start, end, per_merchant=False)
    return _pieces(alliance_id, start, end, per_merchant=True, merchant_ids=merchant_ids)


def activity_counts(
    conn: Connection, alliance_id: str, windows: Sequence[Window], *, merchant_ids: Collection[str] | None
) -> dict[int, list[int]]:
    """``grouped.activity``'s five counts per window index, from the month rows (``can_read``)."""
    if len(windows) > 62:
        raise ValueError("at most 62 windows")
    start, end = windows[0].start, windows[-1].end
    found: dict[int, list[int]] = {i: [0, 0, 0, 0, 0] for i in range(len(windows))}
    members = _member_rows(alliance_id, start, end, merchant_ids)
    pairs = _pieces(alliance_id, start, end, per_merchant=True, merchant_ids=merchant_ids)
    for slot, rows, keys in ((0, members, ["member_id"]), (2, pairs, ["member_id", "merchant_id"])):
        b = _bucket(rows.c.piece, windows).label("b")
        per = (
            select(b, func.sum(rows.c.purchase_days).label("d"))
            .group_by(b, *(rows.c[k] for k in keys))
            .subquery("per")
        )
        counted = select(per.c.b, func.count(), func.sum(case((per.c.d >= 2, 1), else_=0))).group_by(per.c.b)
        for i, n, repeat in conn.execute(counted):
            found[int(i)][slot : slot + 2] = [int(n), int(repeat or 0)]
    bit = case(*[(and_(members.c.piece >= w.start, members.c.piece < w.end), literal(1 << i))
                 for i, w in enumerate(windows)])  # fmt: skip
    masks = select(func.sum(distinct(bit)).label("mask")).group_by(members.c.member_id).subquery("masks")
    for mask, n in conn.execute(select(masks.c.mask, func.count()).group_by(masks.c.mask)):
        value = int(mask)
        for i in range(len(windows) - 1):
            if value >> i & 1 and not value >> (i + 1) & 1:
                found[i][4] += int(n)
    return found


def _bucket(day: ColumnElement[date], windows: Sequence[Window]) -> ColumnElement[int]:
    return case(*[(and_(day >= w.start, day < w.end), literal(i)) for i, w in enumerate(windows)])


def active_months(
    conn: Connection, alliance_id: str, *, months: Sequence[Window], last_day: date
) -> dict[str, int]:
    """member -> bit mask of ``months`` (oldest first) with a purchase on or before ``last_day``."""
    if len(months) > 62:
        raise ValueError("at most 62 months")
    rows = _pieces(alliance_id, months[0].start, last_day + timedelta(days=1), per_merchant=False)
    bit = case(*[(and_(rows.c.piece >= w.start, rows.c.piece < w.end), literal(1 << k))
                 for k, w in enumerate(months)])  # fmt: skip
    stmt = select(rows.c.member_id, func.sum(distinct(bit))).group_by(rows.c.member_id)
    return {m: int(mask) for m, mask in conn.execute(stmt)}


def _facts(
    alliance_id: str, *, since: date, as_of: date, trade_of: Mapping[str, str],
    merchant_ids: Collection[str] | None,
) -> Subquery:  # fmt: skip
    """Per member: first and last day, purchase days, orders, money, merchants and trades visited.

    One ``GROUP BY`` over the member rows and the (member, merchant) rows stacked with ``UNION
    ALL`` (each side's other columns NULL, which the aggregates skip): no join of two aggregates,
    which PostgreSQL's planner may run as a nested loop when it misjudges their sizes."""
    pairs = _pieces(alliance_id, since, as_of, per_merchant=True, merchant_ids=merchant_ids)
    sums = ("first_day", "last_day", "purchase_days", "orders", "sales_fen")
    if merchant_ids is None:  # the purchase days across merchants come from the member rows
        rows = _pieces(alliance_id, since, as_of, per_merchant=False)
        stacked = union_all(
            select(rows.c.member_id, *(rows.c[k] for k in sums), cast(null(), String).label("merchant_id")),
            select(pairs.c.member_id, cast(null(), Date), cast(null(), Date),
                   *(cast(null(), BigInteger) for _ in sums[2:]), pairs.c.merchant_id),
        ).subquery("stacked")  # fmt: skip
    else:  # one merchant: its rows are the member's rows there
        stacked = select(pairs.c.member_id, *(pairs.c[k] for k in sums), pairs.c.merchant_id).subquery(
            "stacked"
        )
    c = stacked.c
    trade = case(*[(c.merchant_id == m, literal(t)) for m, t in trade_of.items()], else_=c.merchant_id)
    return (
        select(
            c.member_id, func.min(c.first_day).label("first_day"), func.max(c.last_day).label("last_day"),
            func.sum(c.purchase_days).label("purchase_days"), func.sum(c.orders).label("orders"),
            func.sum(c.sales_fen).label("monetary_fen"),
            func.count(distinct(c.merchant_id)).label("merchants"),
            func.count(distinct(trade)).label("trades"),
        ).group_by(c.member_id).subquery("facts")
    )  # fmt: skip


def member_facts(
    conn: Connection, alliance_id: str, *, since: date, as_of: date, trade_of: Mapping[str, str],
    merchant_ids: Collection[str] | None = None,
) -> dict[str, MemberFacts]:  # fmt: skip
    """``rfm.member_facts`` of ``[since, as_of)`` (the alliance, or one merchant's customers there)."""
    f = _facts(alliance_id, since=since, as_of=as_of, trade_of=trade_of, merchant_ids=merchant_ids)
    return facts_of_rows(conn.execute(select(f)), as_of=as_of)


def facts_of_rows(rows: Iterable[Sequence[Any]], *, as_of: date) -> dict[str, MemberFacts]:
    """From (member, first day, last day, purchase days, orders, money, merchants, trades) rows."""
    found = {}
    for m, lo, hi, n_days, orders, money, merchants, trades in rows:
        first, last, days = as_date(lo), as_date(hi), int(n_days)
        cycle = (last - first).days / (days - 1) if days > 1 else 0.0
        found[m] = MemberFacts(
            m, first, last, (as_of - last).days, days, int(orders), int(money), int(merchants), int(trades),
            round(cycle, 1), (as_of - first).days,
        )  # fmt: skip
    return found


FUNNEL = ("acquired", "activated", "retained", "cross_trade", "high_value")
RETAINED_DAYS = 30
HIGH_VALUE_FEN = 100_000


@dataclass(frozen=True)
class PopulationSummary:
    """The counts the pages draw of a population (``members.population``'s, without its members)."""

    as_of: date
    members: int
    funnel: dict[str, int]  # FUNNEL -> members
    segments: dict[Segment, int]
    rfm_grid: dict[tuple[int, int], int]  # (R, F) -> members
    value_cells: dict[str, int]  # "value-activity" -> members (value: spend so far)


def population_summary(
    conn: Connection, alliance_id: str, *, since: date, as_of: date, trade_of: Mapping[str, str],
    merchant_ids: Collection[str] | None = None,
) -> PopulationSummary:  # fmt: skip
    f = _facts(alliance_id, since=since, as_of=as_of, trade_of=trade_of, merchant_ids=merchant_ids)
    n = func.count().over()
    ranked = select(
        f.c.monetary_fen, f.c.purchase_days, f.c.last_day, f.c.trades,
        (1 + 5 * (func.rank().over(order_by=f.c.last_day) - 1) // n).label("r"),
        (1 + 5 * (func.rank().over(order_by=f.c.purchase_days) - 1) // n).label("f"),
        (1 + 5 * (func.rank().over(order_by=f.c.monetary_fen) - 1) // n).label("m"),
        (1 + 3 * (func.rank().over(order_by=f.c.monetary_fen) - 1) // n).label("v"),
        n.label("n"),
    ).subquery("ranked")  # fmt: skip
    c = ranked.c
    leveled = select(
        c.r, c.f, c.m, c.v, (1 + 3 * (func.rank().over(order_by=c.r + c.f) - 1) // c.n).label("a"),
        case((c.purchase_days >= 2, 1), else_=0).label("activated"),
        case((c.last_day >= as_of - timedelta(days=RETAINED_DAYS), 1), else_=0).label("retained"),
        case((c.trades >= 2, 1), else_=0).label("cross_trade"),
        case((c.monetary_fen >= HIGH_VALUE_FEN, 1), else_=0).label("high_value"),
    ).subquery("leveled")  # fmt: skip
    keys = [
        leveled.c[k] for k in ("r", "f", "m", "v", "a", "activated", "retained", "cross_trade", "high_value")
    ]
    groups = [(tuple(int(x) for x in row[:-1]), int(row[-1])) for row in conn.execute(
        select(*keys, func.count()).group_by(*keys))]  # fmt: skip
    return summarize(as_of, groups)


def summarize(as_of: date, groups: Sequence[tuple[tuple[int, ...], int]]) -> PopulationSummary:
    """From the counts per (r, f, m, value level, activity level, four funnel flags)."""
    total = sum(k for _, k in groups)
    funnel = dict.fromkeys(FUNNEL, 0)
    segments = dict.fromkeys(Segment, 0)
    grid: dict[tuple[int, int], int] = defaultdict(int)
    cells = {f"{v}-{a}": 0 for v in (1, 2, 3) for a in (1, 2, 3)}
    if not total:
        return PopulationSummary(as_of, 0, funnel, segments, {}, cells)
    # "high" = above the mean score; compared as r x total > the sum of scores (exact, no float)
    sums = [sum(key[i] * k for key, k in groups) for i in range(3)]
    funnel["acquired"] = total
    for (r, f, m, v, a, *flags), k in groups:
        high = (r * total > sums[0], f * total > sums[1], m * total > sums[2])
        segments[SEGMENTS_BY_HIGH[high]] += k
        grid[(r, f)] += k
        cells[f"{v}-{a}"] += k
        for step, flag in zip(FUNNEL[1:], flags, strict=True):
            funnel[step] += k * flag
    return PopulationSummary(as_of, total, funnel, segments, dict(grid), cells)


MASK_BITS = 62


def co_visits(
    conn: Connection, alliance_id: str, *, start: date, end: date, merchants: Sequence[str]
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Customers per merchant, and members who bought at both A and B (A != B), in ``[start, end)``.

    Each member's merchants come back as bit masks (62 merchants a column), counted per distinct
    combination: a few thousand rows to expand in Python, and no self-join of the visits."""
    rows = _pieces(alliance_id, start, end, per_merchant=True)
    ordered = sorted(merchants)
    groups = [ordered[i : i + MASK_BITS] for i in range(0, len(ordered), MASK_BITS)] or [[]]

    def bit(group: list[str]) -> ColumnElement[int]:
        return case(*[(rows.c.merchant_id == m, literal(1 << k)) for k, m in enumerate(group)], else_=0)

    masks = [func.sum(distinct(bit(g))) if g else literal(0) for g in groups]
    per = select(*(m.label(f"m{i}") for i, m in enumerate(masks))).group_by(rows.c.member_id).subquery("per")
    keys = [per.c[f"m{i}"] for i in range(len(groups))]
    customers: dict[str, int] = defaultdict(int)
    both: dict[tuple[str, str], int] = defaultdict(int)
    for *values, n in conn.execute(select(*keys, func.count()).group_by(*keys)):
        seen = [m for g, v in zip(groups, values, strict=True) for k, m in enumerate(g) if int(v) >> k & 1]
        for a in seen:
            customers[a] += int(n)
            for b in seen:
                if a != b:
                    both[(a, b)] += int(n)
    return dict(customers), dict(both)


def visited_merchants(
    conn: Connection, alliance_id: str, member_id: str, *, start: date, end: date
) -> set[str]:
    md = member_days.c
    stmt = (
        select(md.merchant_id)
        .distinct()
        .where(
            md.alliance_id == alliance_id,
            md.member_id == member_id,
            md.day >= start,
            md.day < end,
            md.orders > 0,
        )
    )
    return set(conn.execute(stmt).scalars())
