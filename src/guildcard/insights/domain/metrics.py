"""Seed 003's member metrics as pure functions of rollup rows (see ``definitions.py`` for the words).

Every function takes the rows of the scope asked for (alliance, trade, merchant or store) and a
window; none reads a clock. A ratio with nothing to divide by is ``None`` (not 0): the page
shows "—" and the API ``null``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from guildcard.insights.domain.facts import MemberDay, StoreDay
from guildcard.insights.domain.windows import Window


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def new_members(registered: Mapping[str, date], window: Window) -> set[str]:
    return {m for m, day in registered.items() if day in window}


def activation_rate(
    registered: Mapping[str, date],
    first_purchase: Mapping[str, date],
    window: Window,
    *,
    within_days: int = 30,
) -> float | None:
    """Members registered in the window whose first purchase came within ``within_days`` days."""
    joined = new_members(registered, window)
    active = {
        m
        for m in joined
        if (first := first_purchase.get(m)) is not None
        and first - registered[m] <= timedelta(days=within_days)
    }
    return ratio(len(active), len(joined))


def active_members(rows: Iterable[MemberDay], window: Window) -> set[str]:
    return {r.member_id for r in rows if r.day in window and r.orders > 0}


def churn_rate(rows: Sequence[MemberDay], window: Window, previous: Window | None = None) -> float | None:
    """Members active in the previous window with no purchase in this one, over those active before."""
    before = active_members(rows, previous or window.previous())
    now = active_members(rows, window)
    return ratio(len(before - now), len(before))


def repurchase_rate(rows: Iterable[MemberDay], window: Window, *, per_merchant: bool = False) -> float | None:
    """Active members with purchases on two or more days of the window, over active members.

    ``per_merchant``: the same at each merchant, over (member, merchant) pairs.
    """
    days: dict[tuple[str, str], set[date]] = defaultdict(set)
    for r in rows:
        if r.day in window and r.orders > 0:
            days[(r.member_id, r.merchant_id if per_merchant else "")].add(r.day)
    return ratio(sum(1 for d in days.values() if len(d) >= 2), len(days))


@dataclass(frozen=True)
class SalesTotals:
    member_orders: int
    member_sales_fen: int
    other_orders: int
    other_sales_fen: int
    items: int
    item_orders: int
    # over the stores that reported their non-member sales on a day, that day's figures only
    reported_member_orders: int
    reported_member_sales_fen: int
    reporting_stores: frozenset[str]


def sales_totals(stores: Iterable[StoreDay], window: Window) -> SalesTotals:
    mo = ms = oo = os_ = items = io = rmo = rms = 0
    reporting: set[str] = set()
    for s in stores:
        if s.day not in window:
            continue
        mo, ms, oo, os_ = (
            mo + s.member_orders,
            ms + s.member_sales_fen,
            oo + s.other_orders,
            os_ + s.other_sales_fen,
        )
        items, io = items + s.items, io + s.item_orders
        if s.reports_all_sales:
            rmo, rms = rmo + s.member_orders, rms + s.member_sales_fen
            reporting.add(s.store_id)
    return SalesTotals(mo, ms, oo, os_, items, io, rmo, rms, frozenset(reporting))


def member_sales_share(t: SalesTotals) -> float | None:
    """Member sales over all sales, on the store-days that reported their non-member sales."""
    return ratio(t.reported_member_sales_fen, t.reported_member_sales_fen + t.other_sales_fen)


def conversion_rate(t: SalesTotals) -> float | None:
    """Member transactions over all transactions, on the store-days that reported all of them."""
    return ratio(t.reported_member_orders, t.reported_member_orders + t.other_orders)


def average_order_value_fen(t: SalesTotals) -> int | None:
    """Every recorded sale over every recorded transaction, rounded half up to the fen."""
    orders = t.member_orders + t.other_orders
    if orders == 0:
        return None
    return (2 * (t.member_sales_fen + t.other_sales_fen) + orders) // (2 * orders)


def items_per_order(t: SalesTotals) -> float | None:
    """Items over the transactions that carry an item count."""
    return None if t.item_orders == 0 else round(t.items / t.item_orders, 2)


@dataclass(frozen=True)
class MetricSet:
    period: str
    new_members: int
    activation_rate: float | None
    active_members: int
    churn_rate: float | None
    member_sales_share: float | None
    repurchase_rate: float | None
    merchant_repurchase_rate: float | None
    average_order_value_fen: int | None
    items_per_order: float | None
    conversion_rate: float | None
    member_sales_fen: int
    member_orders: int
    reporting_stores: int


def metric_set(
    window: Window,
    rows: Sequence[MemberDay],
    stores: Sequence[StoreDay],
    *,
    registered: Mapping[str, date],
    first_purchase: Mapping[str, date],
    activation_days: int = 30,
) -> MetricSet:
    """Every metric of a window; ``rows`` must cover the previous window too (for churn)."""
    totals = sales_totals(stores, window)
    return MetricSet(
        period=window.key,
        new_members=len(new_members(registered, window)),
        activation_rate=activation_rate(registered, first_purchase, window, within_days=activation_days),
        active_members=len(active_members(rows, window)),
        churn_rate=churn_rate(rows, window),
        member_sales_share=member_sales_share(totals),
        repurchase_rate=repurchase_rate(rows, window),
        merchant_repurchase_rate=repurchase_rate(rows, window, per_merchant=True),
        average_order_value_fen=average_order_value_fen(totals),
        items_per_order=items_per_order(totals),
        conversion_rate=conversion_rate(totals),
        member_sales_fen=totals.member_sales_fen,
        member_orders=totals.member_orders,
        reporting_stores=len(totals.reporting_stores),
    )
