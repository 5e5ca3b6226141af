"""Ledger jobs: release pending points, void timed-out holds, expire lots. Each is safe to re-run.

They run on the caller's connection like every ledger command; ``LedgerService`` wraps them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from guildcard.kernel.clock import end_of_business_day
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import Kind, Unit, transfer
from guildcard.ledger.domain.lots import Lot, LotState
from guildcard.ledger.domain.results import JobResult
from guildcard.ledger.service import Ledger
from guildcard.ledger.storage import expiry
from guildcard.ledger.storage.store import _lot
from guildcard.ledger.storage.tables import holds, lots


def expire(ledger: Ledger, *, as_of: date) -> JobResult:
    """Move every unconsumed remainder that expired by the end of ``as_of`` (Asia/Shanghai) to breakage.

    One entry per run that finds lots to expire, one posting per member, a handful of set-based
    statements whatever the number of lots. Its idempotency key names ``as_of`` and the first lot
    of the snapshot: a re-run (or a concurrent run) over the same lots replays, while a run after
    lots became spendable past their date (a late release) expires those too.
    """
    conn, alliance = ledger.conn, ledger.alliance_id
    count, total, first_lot = expiry.snapshot_expiring(conn, alliance, end_of_business_day(as_of))
    try:
        if count == 0:
            return JobResult(entries=0, lots=0, points=0)
        header = ledger._header(Kind.EXPIRY, None, chart.PLATFORM_BREAKAGE, total, f"expire:{as_of}", None)
        key = f"expire:{as_of.isoformat()}:{first_lot}"
        replay = ledger._claim(header, "expire", key, {"as_of": as_of.isoformat(), "first_lot": first_lot})
        if replay:
            return JobResult(entries=1, lots=0, points=replay.amount or 0, replayed=True)
        expiry.move_to_breakage(conn, alliance, header.id)
        ledger.store.ensure_codes({chart.PLATFORM_BREAKAGE: Unit.POINT.value}, header.recorded_at)
        return JobResult(entries=1, lots=count, points=total)
    finally:
        expiry.drop_snapshot(conn)


def pending_lots_due(ledger: Ledger, as_of: datetime, limit: int) -> list[Lot]:
    rows = ledger.conn.execute(
        select(lots)
        .where(
            lots.c.alliance_id == ledger.alliance_id,
            lots.c.state == LotState.PENDING.value,
            lots.c.available_at <= as_of,
        )
        .order_by(lots.c.available_at, lots.c.id)
        .limit(limit)
    )
    return [_lot(r) for r in rows]


def release_lot(ledger: Ledger, lot: Lot) -> bool:
    """Make a pending lot spendable (repaying any debt first). False if already released."""
    store, member = ledger.store, lot.member_id
    points = chart.member_points(member)
    store.lock_balance(points)
    current = store.lots_by_id([lot.id])[lot.id]
    header = ledger._header(Kind.RELEASE, member, lot.issuer, current.remaining, None, None)
    if current.state is not LotState.PENDING:
        return False
    if ledger._claim(header, "release", f"release:{lot.id}", {"lot": lot.id}):
        return False
    now = ledger.clock.now()
    store.debit(chart.member_pending(member), Unit.POINT, current.remaining, floor=0, now=now)
    new_balance = store.credit(points, Unit.POINT, current.remaining, now)
    repaid = min(current.remaining, max(0, current.remaining - new_balance))
    store.set_lot_state(lot.id, LotState.ACTIVE)
    if repaid:
        store.change_lots([(lot.id, repaid)])
        store.record_consumptions(header.id, member, [(lot.id, points, repaid)])
    ledger._append(
        header.with_postings(transfer(chart.member_pending(member), points, Unit.POINT, current.remaining))
    )
    return True


def release_pending(ledger: Ledger, *, as_of: datetime, limit: int = 1000) -> JobResult:
    """Release up to ``limit`` pending lots whose time has come (call again until 0)."""
    released = [lot for lot in pending_lots_due(ledger, as_of, limit) if release_lot(ledger, lot)]
    return JobResult(entries=len(released), lots=len(released), points=sum(lot.remaining for lot in released))


def void_expired_holds(ledger: Ledger, *, as_of: datetime, limit: int = 1000) -> JobResult:
    """Void every active hold whose time ran out by ``as_of``."""
    ids = ledger.conn.execute(
        select(holds.c.id)
        .where(
            holds.c.alliance_id == ledger.alliance_id, holds.c.state == "active", holds.c.expires_at <= as_of
        )
        .order_by(holds.c.expires_at, holds.c.id)
        .limit(limit)
    ).scalars()
    voided = [ledger.void_hold(hold_id, idempotency_key=f"timeout:{hold_id}") for hold_id in list(ids)]
    return JobResult(entries=len(voided), lots=0, points=sum(v.amount or 0 for v in voided))
