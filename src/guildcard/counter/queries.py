"""What other contexts and entry points read from the counter, on the caller's connection.

The merchant's pages read member sales per period and per day and pending backfills; settlement
reads every member sale and refund of a window (the base of commission). Nothing outside the
counter reads its tables; callers check who may see the merchant (the web routes pass the
signed-in staff's merchant only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, func, select

from guildcard.counter.storage.tables import backfills, purchases, refunds
from guildcard.kernel.clock import business_date, start_of_business_day

_DONE = ("committed", "partially_refunded", "refunded")


@dataclass(frozen=True)
class SalesSummary:
    purchases: int  # count of member purchases
    sales_fen: int  # payable after the member discount, net of refunds
    points_earned: int
    points_used: int


def sales_summary(
    conn: Connection, alliance_id: str, merchant_id: str, since: datetime, until: datetime
) -> SalesSummary:
    """The member purchases recorded at the merchant in ``[since, until)`` (by purchase time)."""
    c = purchases.c
    row = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(c.payable_fen - c.refunded_fen), 0),
            func.coalesce(func.sum(c.points_earned), 0),
            func.coalesce(func.sum(c.points_used), 0),
        ).where(
            c.alliance_id == alliance_id,
            c.merchant_id == merchant_id,
            c.status.in_(_DONE),
            c.occurred_at >= since,
            c.occurred_at < until,
        )
    ).one()
    return SalesSummary(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def daily_sales(
    conn: Connection, alliance_id: str, merchant_id: str, *, last_day: date, days: int = 30
) -> list[tuple[date, int]]:
    """Sales (fen, net of refunds) per business day for the ``days`` days ending ``last_day``."""
    first = last_day - timedelta(days=days - 1)
    c = purchases.c
    rows = conn.execute(
        select(c.occurred_at, c.payable_fen - c.refunded_fen).where(
            c.alliance_id == alliance_id,
            c.merchant_id == merchant_id,
            c.status.in_(_DONE),
            c.occurred_at >= start_of_business_day(first),
            c.occurred_at < start_of_business_day(last_day + timedelta(days=1)),
        )
    ).all()
    totals = {first + timedelta(days=i): 0 for i in range(days)}
    for occurred_at, amount in rows:  # grouped in Python: the business day is Asia/Shanghai on both backends
        totals[business_date(occurred_at)] += int(amount)
    return sorted(totals.items())


@dataclass(frozen=True)
class PendingBackfill:
    backfill_id: str
    store_id: str
    receipt_no: str
    amount_fen: int
    purchased_at: datetime
    requested_at: datetime
    member_id: str = ""
    requested_by: str = ""  # the staff member who asked


def pending_backfills(conn: Connection, alliance_id: str, merchant_id: str) -> list[PendingBackfill]:
    """Backfills waiting for the owner's decision, oldest first."""
    c = backfills.c
    rows = conn.execute(
        select(
            c.backfill_id, c.store_id, c.receipt_no, c.amount_fen, c.purchased_at, c.requested_at,
            c.member_id, c.requested_by,
        )
        .where(c.alliance_id == alliance_id, c.merchant_id == merchant_id, c.status == "needs_approval")
        .order_by(c.requested_at)
    ).all()  # fmt: skip
    return [PendingBackfill(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6], r[7]) for r in rows]


@dataclass(frozen=True)
class RecordedSale:
    """A member purchase (its payable, in fen) or a refund of one (negative, dated when recorded)."""

    ref: str  # the purchase id or the refund id
    merchant_id: str
    amount_fen: int
    occurred_at: datetime
    recorded_at: datetime


def member_sales(
    conn: Connection,
    alliance_id: str,
    *,
    occurred_from: datetime,
    occurred_until: datetime,
    recorded_until: datetime,
) -> list[RecordedSale]:
    """Purchases that occurred in ``[occurred_from, occurred_until)``, then refunds recorded in it,
    each recorded by ``recorded_until``."""
    p, r = purchases.c, refunds.c
    sold = select(p.purchase_id, p.merchant_id, p.payable_fen, p.occurred_at, p.recorded_at).where(
        p.alliance_id == alliance_id, p.occurred_at >= occurred_from, p.occurred_at < occurred_until,
        p.recorded_at <= recorded_until,
    )  # fmt: skip
    # A refund reduces sales when it is recorded (it has no other date of its own).
    refunded = select(r.refund_id, r.merchant_id, r.amount_fen, r.recorded_at).where(
        r.alliance_id == alliance_id, r.recorded_at >= occurred_from, r.recorded_at < occurred_until,
        r.recorded_at <= recorded_until,
    )  # fmt: skip
    sales = [RecordedSale(row[0], row[1], row[2], row[3], row[4]) for row in conn.execute(sold)]
    return sales + [RecordedSale(row[0], row[1], -row[2], row[3], row[3]) for row in conn.execute(refunded)]


@dataclass(frozen=True)
class Voucher:
    """What a statement line's reference is to a person: an order or refund number and its time."""

    ref: str  # purchase_id or refund_id
    number: str  # the merchant's order number, or the refund number
    is_refund: bool
    at: datetime  # when the purchase occurred, or the refund was recorded


def vouchers(conn: Connection, alliance_id: str, refs: list[str]) -> dict[str, Voucher]:
    """Order numbers of purchases and refund numbers of refunds, by purchase_id / refund_id."""
    found: dict[str, Voucher] = {}
    p, r = purchases.c, refunds.c
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        for pid, number, at in conn.execute(
            select(p.purchase_id, p.order_no, p.occurred_at).where(
                p.alliance_id == alliance_id, p.purchase_id.in_(chunk)
            )
        ):
            found[pid] = Voucher(pid, number, False, at)
        for rid, number, at in conn.execute(
            select(r.refund_id, r.refund_no, r.recorded_at).where(
                r.alliance_id == alliance_id, r.refund_id.in_(chunk)
            )
        ):
            found[rid] = Voucher(rid, number, True, at)
    return found


@dataclass(frozen=True)
class Visit:
    """A member's purchase as the member's card tells them about it."""

    purchase_id: str
    merchant_id: str
    payable_fen: int
    points_earned: int
    points_used: int
    occurred_at: datetime


def latest_visit(conn: Connection, alliance_id: str, member_id: str, since: datetime) -> Visit | None:
    """The member's latest counter purchase recorded since ``since`` (None when there is none)."""
    c = purchases.c
    row = conn.execute(
        select(c.purchase_id, c.merchant_id, c.payable_fen, c.points_earned, c.points_used, c.occurred_at)
        .where(
            c.alliance_id == alliance_id,
            c.member_id == member_id,
            c.source == "counter",
            c.recorded_at >= since,
        )
        .order_by(c.recorded_at.desc())
        .limit(1)
    ).first()
    return None if row is None else Visit(row[0], row[1], int(row[2]), int(row[3]), int(row[4]), row[5])


@dataclass(frozen=True)
class SaleRow:
    """A recorded purchase as insights counts it: net of refunds (member purchases only, so far)."""

    purchase_id: str
    merchant_id: str
    store_id: str
    member_id: str | None
    net_fen: int
    occurred_at: datetime
    points_earned: int = 0
    items: int | None = None


def sales_between(
    conn: Connection, alliance_id: str, *, occurred_from: datetime, occurred_until: datetime
) -> list[SaleRow]:
    """Every recorded purchase that occurred in ``[occurred_from, occurred_until)`` (insights' rollups)."""
    c = purchases.c
    net = c.payable_fen - c.refunded_fen
    columns = (c.purchase_id, c.merchant_id, c.store_id, c.member_id, net, c.occurred_at, c.points_earned)
    stmt = select(*columns).where(
        c.alliance_id == alliance_id,
        c.status.in_(_DONE),
        c.occurred_at >= occurred_from,
        c.occurred_at < occurred_until,
    )
    rows = conn.execute(stmt)
    return [SaleRow(r[0], r[1], r[2], r[3], int(r[4]), r[5], int(r[6])) for r in rows]


def occurred_at_of(conn: Connection, alliance_id: str, purchase_ids: list[str]) -> dict[str, datetime]:
    """When each of these purchases occurred (a refund changes the figures of its purchase's day)."""
    c = purchases.c
    found: dict[str, datetime] = {}
    for start in range(0, len(purchase_ids), 500):
        chunk = purchase_ids[start : start + 500]
        stmt = select(c.purchase_id, c.occurred_at).where(
            c.alliance_id == alliance_id, c.purchase_id.in_(chunk)
        )
        found.update({r[0]: r[1] for r in conn.execute(stmt)})
    return found


def last_purchases(conn: Connection, alliance_id: str, *, before: datetime) -> dict[str, datetime]:
    """Members whose latest purchase (any merchant) happened before ``before``, with its time:
    those who have been quiet since (automation's "N days without a purchase")."""
    p = purchases.c
    last = func.max(p.occurred_at)
    rows = conn.execute(
        select(p.member_id, last)
        .where(p.alliance_id == alliance_id, p.status.in_(_DONE))
        .group_by(p.member_id)
        .having(last < before)
    )
    return {r[0]: r[1] for r in rows}
