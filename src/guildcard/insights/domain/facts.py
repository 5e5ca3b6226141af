"""The facts insights counts: sales as the counter and merchants report them, and their rollups.

A ``Sale`` is one purchase (a member's or, with ``member_id`` None, anyone's) or a merchant's
reported daily total (``orders`` > 1). Its amount is net of refunds. Rollups keep one
``MemberDay`` per (day, member, merchant, store) and one ``StoreDay`` per (day, store): every
metric is a function of these rows, so a day's new sales cost work proportional to the day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Sale:
    day: date  # the business day (Asia/Shanghai) the purchase occurred on
    merchant_id: str
    store_id: str
    amount_fen: int  # net of refunds
    member_id: str | None = None  # None: a non-member purchase
    items: int | None = None  # None: the POS did not say
    orders: int = 1
    points: int = 0  # points the merchant awarded for it


@dataclass(frozen=True)
class DailyTotal:
    """What a store reports for a whole day: every transaction, members' included."""

    day: date
    merchant_id: str
    store_id: str
    orders: int
    sales_fen: int
    items: int | None = None


@dataclass(frozen=True)
class MemberDay:
    day: date
    member_id: str
    merchant_id: str
    store_id: str
    orders: int
    sales_fen: int
    items: int  # items of the orders that carry a count
    item_orders: int  # orders that carry an item count
    points: int = 0  # points awarded


@dataclass(frozen=True)
class StoreDay:
    day: date
    merchant_id: str
    store_id: str
    member_orders: int
    member_sales_fen: int
    other_orders: int  # non-member transactions (reported one by one or in a daily total)
    other_sales_fen: int
    items: int
    item_orders: int
    reports_all_sales: bool  # the store told insights about its non-member sales this day


def roll_up(
    sales: Iterable[Sale], totals: Sequence[DailyTotal] = ()
) -> tuple[list[MemberDay], list[StoreDay]]:
    """One day's (or any span's) rows; a reported daily total overrides the store's non-member sales."""
    members: dict[tuple[date, str, str, str], list[int]] = {}
    stores: dict[tuple[date, str, str], list[int]] = {}
    for s in sales:
        store = stores.setdefault((s.day, s.merchant_id, s.store_id), [0] * 7)
        counted = s.items is not None
        if s.member_id is None:
            store[2] += s.orders
            store[3] += s.amount_fen
            store[6] = 1
        else:
            row = members.setdefault((s.day, s.member_id, s.merchant_id, s.store_id), [0] * 5)
            row[0] += s.orders
            row[1] += s.amount_fen
            row[2] += s.items or 0
            row[3] += s.orders if counted else 0
            row[4] += s.points
            store[0] += s.orders
            store[1] += s.amount_fen
        store[4] += s.items or 0
        store[5] += s.orders if counted else 0
    for t in totals:
        store = stores.setdefault((t.day, t.merchant_id, t.store_id), [0] * 7)
        store[2] = max(t.orders - store[0], 0)
        store[3] = max(t.sales_fen - store[1], 0)
        if t.items is not None:
            store[4], store[5] = t.items, t.orders
        store[6] = 1
    member_days = [MemberDay(d, m, mer, st, *v) for (d, m, mer, st), v in sorted(members.items())]
    store_days = [
        StoreDay(d, mer, st, v[0], v[1], v[2], v[3], v[4], v[5], bool(v[6]))
        for (d, mer, st), v in sorted(stores.items())
    ]
    return member_days, store_days
