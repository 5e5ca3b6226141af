"""A store's day at the counter: what was recorded there and the shift summary a cashier hands over.

Read on the caller's connection; ``CounterService.store_day`` checks who may see the store. Everything
is by **recording time** in one Shanghai business day, optionally from a shift start and only what one
person recorded: purchases at the counter, backfilled purchases (when approved), backfill requests
still waiting, and refunds of this store's purchases (a refund belongs to the store of its purchase).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, select

from guildcard.counter.storage.receipts import load_refund
from guildcard.counter.storage.tables import backfills, purchases, refunds
from guildcard.kernel.clock import ensure_utc, start_of_business_day

PURCHASE, BACKFILL, BACKFILL_PENDING, REFUND = "purchase", "backfill", "backfill_pending", "refund"


@dataclass(frozen=True)
class DayLine:
    """One recorded thing at the store, as the cashier's list shows it."""

    kind: str  # purchase, backfill, backfill_pending, refund
    at: datetime  # when it was recorded (requested, for a waiting backfill)
    number: str  # order, refund or receipt number
    member: str  # masked, as the merchant may see the member
    amount_fen: int  # what the member paid (refunds: what was refunded), positive
    cash_fen: int = 0  # cash part (refunds: cash given back)
    points_earned: int = 0  # refunds: points clawed back
    points_used: int = 0  # refunds: points given back
    occurred_at: datetime | None = None  # backfills: when the purchase happened
    actor_id: str = ""


@dataclass(frozen=True)
class ShiftSummary:
    """The figures a cashier hands over; sales and points are before refunds, refunds apart."""

    purchases: int  # counter purchases and approved backfills
    sales_fen: int
    cash_fen: int
    points_issued: int
    points_used: int
    refunds: int
    refunded_fen: int
    refunded_cash_fen: int
    points_clawed_back: int
    points_restored: int
    backfills_pending: int

    @property
    def net_sales_fen(self) -> int:
        return self.sales_fen - self.refunded_fen

    @property
    def net_cash_fen(self) -> int:
        return self.cash_fen - self.refunded_cash_fen


@dataclass(frozen=True)
class StoreDay:
    day: date
    since: datetime  # the start of the day or of the shift
    until: datetime
    lines: tuple[DayLine, ...]  # in time order
    summary: ShiftSummary


def summarize(lines: tuple[DayLine, ...] | list[DayLine]) -> ShiftSummary:
    sold = [line for line in lines if line.kind in {PURCHASE, BACKFILL}]
    back = [line for line in lines if line.kind == REFUND]
    return ShiftSummary(
        purchases=len(sold),
        sales_fen=sum(line.amount_fen for line in sold),
        cash_fen=sum(line.cash_fen for line in sold),
        points_issued=sum(line.points_earned for line in sold),
        points_used=sum(line.points_used for line in sold),
        refunds=len(back),
        refunded_fen=sum(line.amount_fen for line in back),
        refunded_cash_fen=sum(line.cash_fen for line in back),
        points_clawed_back=sum(line.points_earned for line in back),
        points_restored=sum(line.points_used for line in back),
        backfills_pending=sum(1 for line in lines if line.kind == BACKFILL_PENDING),
    )


def store_day(
    conn: Connection,
    alliance_id: str,
    store_id: str,
    *,
    day: date,
    since: datetime | None = None,
    until: datetime | None = None,
    actor_id: str | None = None,
) -> StoreDay:
    """The store's day ``day`` (Asia/Shanghai), from ``since`` (a shift start within it) to ``until``
    (now, for today), only what ``actor_id`` recorded when given."""
    start = start_of_business_day(day)
    end = start_of_business_day(day + timedelta(days=1))
    since = max(start, ensure_utc(since)) if since else start
    until = min(end, ensure_utc(until)) if until else end
    window = _Window(alliance_id, store_id, since, until, actor_id)
    lines = [*_purchases(conn, window), *_refunds(conn, window), *_waiting(conn, window)]
    lines.sort(key=lambda line: (line.at, line.number))
    return StoreDay(day, since, until, tuple(lines), summarize(lines))


@dataclass(frozen=True)
class _Window:
    alliance_id: str
    store_id: str
    since: datetime
    until: datetime
    actor_id: str | None


def _display(receipt: object) -> str:
    member = receipt.get("member") if isinstance(receipt, dict) else None
    return str(member.get("display", "")) if isinstance(member, dict) else ""


def _purchases(conn: Connection, w: _Window) -> list[DayLine]:
    c = purchases.c
    stmt = select(
        c.source, c.recorded_at, c.order_no, c.receipt, c.payable_fen, c.cash_fen, c.points_earned,
        c.points_used, c.occurred_at, c.actor_id,
    ).where(
        c.alliance_id == w.alliance_id, c.store_id == w.store_id, c.status != "claimed",
        c.recorded_at >= w.since, c.recorded_at < w.until,
    )  # fmt: skip
    if w.actor_id:
        stmt = stmt.where(c.actor_id == w.actor_id)
    return [
        DayLine(
            BACKFILL if r.source == "backfill" else PURCHASE,
            r.recorded_at,
            r.order_no,
            _display(r.receipt),
            int(r.payable_fen),
            int(r.cash_fen),
            int(r.points_earned),
            int(r.points_used),
            r.occurred_at if r.source == "backfill" else None,
            r.actor_id,
        )
        for r in conn.execute(stmt)
    ]


def _refunds(conn: Connection, w: _Window) -> list[DayLine]:
    r, p = refunds.c, purchases.c
    stmt = (
        select(r.recorded_at, r.refund_no, r.receipt, r.actor_id, p.receipt.label("bought"))
        .join(purchases, (p.alliance_id == r.alliance_id) & (p.purchase_id == r.purchase_id))
        .where(
            r.alliance_id == w.alliance_id,
            p.store_id == w.store_id,
            r.recorded_at >= w.since,
            r.recorded_at < w.until,
        )
    )
    if w.actor_id:
        stmt = stmt.where(r.actor_id == w.actor_id)
    lines = []
    for row in conn.execute(stmt):
        receipt = load_refund(row.receipt)
        lines.append(
            DayLine(
                REFUND,
                row.recorded_at,
                row.refund_no,
                _display(row.bought),
                receipt.amount_fen,
                receipt.cash_fen,
                receipt.points_clawed_back,
                receipt.points_restored,
                None,
                row.actor_id,
            )
        )
    return lines


def _waiting(conn: Connection, w: _Window) -> list[DayLine]:
    """Backfill requests made in the window that still wait for the owner (no points yet)."""
    b = backfills.c
    stmt = select(b.requested_at, b.receipt_no, b.amount_fen, b.purchased_at, b.requested_by).where(
        b.alliance_id == w.alliance_id, b.store_id == w.store_id, b.status == "needs_approval",
        b.requested_at >= w.since, b.requested_at < w.until,
    )  # fmt: skip
    if w.actor_id:
        stmt = stmt.where(b.requested_by == w.actor_id)
    return [
        DayLine(BACKFILL_PENDING, row[0], row[1], "", int(row[2]), occurred_at=row[3], actor_id=row[4])
        for row in conn.execute(stmt)
    ]
