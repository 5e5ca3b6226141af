"""Backfill (消费补录): a past purchase recorded from its receipt, owner-approved above a limit.

The receipt number shares the order-number space of the merchant: a receipt already
recorded (at the counter or by an earlier backfill) is refused as ``counter.duplicate_order``;
the same request sent again replays. Earn uses the rules, campaigns and terms in force at
the purchase time; pending points become available ``pending_days`` after recording.
An approval records the purchase even if the window has passed while it waited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from guildcard.counter import access
from guildcard.counter.commands import BackfillInput
from guildcard.counter.domain.amounts import CategoryLine, check_bill, check_category_lines
from guildcard.counter.domain.backfill import BackfillPolicy, BackfillStatus, assess_backfill
from guildcard.counter.domain.errors import BackfillNotFound, BackfillNotPending, DuplicateOrder
from guildcard.counter.domain.receipts import BackfillReceipt
from guildcard.counter.handlers import quoting
from guildcard.counter.handlers.base import handlers, open_store, resolve_member
from guildcard.counter.handlers.purchase import record_purchase, replay_of
from guildcard.counter.ports import MemberRef, StoreRef
from guildcard.counter.storage.repository import CounterRepository
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import ensure_utc
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.ledger import chart
from guildcard.pipeline import Command, Work

_CLAIMED = "counter.claimed_backfill"


@dataclass(frozen=True, kw_only=True)
class RequestBackfill(Command):
    scope = "counter.backfill"
    backfill: BackfillInput


@dataclass(frozen=True, kw_only=True)
class DecideBackfill(Command):
    scope = "counter.backfill_decision"
    backfill_id: str
    approve: bool
    note: str | None = None


def _check(_actor: Actor, command: RequestBackfill) -> None:
    request = command.backfill
    check_bill(request.amount_fen)
    check_category_lines(request.lines, bill_fen=request.amount_fen)
    if not request.receipt_no.strip():
        raise InvalidInput("A receipt number is required.", field="receipt_no")


def _claim(command: RequestBackfill, work: Work) -> BackfillReceipt | None:
    """Claim the receipt number, or the first request's state when it is the same request."""
    request, conn = command.backfill, work.connection
    store = open_store(conn, work.deps, work.actor, request.store_id)
    purchased_at = ensure_utc(request.purchased_at)
    # A backfill only identifies the member (usually by phone); the receipt number, not the
    # member code, is what makes it happen once.
    member = resolve_member(
        conn, work.deps, work.alliance_id, request.member, merchant_id=store.merchant_id, now=work.now,
        use_code=False,
    )  # fmt: skip
    body = {
        "store_id": store.store_id, "receipt_no": request.receipt_no,
        "purchased_at": purchased_at.isoformat(), "amount_fen": request.amount_fen,
        "member_id": member.member_id, "lines": [(x.category, x.amount_fen) for x in request.lines],
    }  # fmt: skip
    digest = fingerprint(body)
    settings = work.deps.loyalty.get(conn, work.alliance_id, work.memo).settings
    policy = BackfillPolicy(settings.backfill_window_days, settings.backfill_approval_threshold_fen)
    status = assess_backfill(policy, purchased_at=purchased_at, now=work.now, amount_fen=request.amount_fen)
    repo, backfill_id = CounterRepository(conn, work.alliance_id), new_id("bf")
    if repo.claim_backfill(
        backfill_id=backfill_id, merchant_id=store.merchant_id, store_id=store.store_id,
        receipt_no=request.receipt_no, member_id=member.member_id, amount_fen=request.amount_fen,
        purchased_at=purchased_at, status=status.value, fingerprint=digest, request=body,
        requested_by=work.actor.id, requested_at=work.now,
    ):  # fmt: skip
        work.memo[_CLAIMED] = (store, member, backfill_id, status)
        return None
    first = repo.backfill_by_receipt(store.merchant_id, request.receipt_no)
    assert first is not None
    if first.fingerprint != digest:
        raise DuplicateOrder(receipt_no=request.receipt_no)
    return _view(conn, work.alliance_id, first)


@handlers.register(authorize=_check, claim=_claim)
def request_backfill(command: RequestBackfill, work: Work) -> BackfillReceipt:
    request, conn = command.backfill, work.connection
    store, member, backfill_id, status = work.memo[_CLAIMED]
    repo = CounterRepository(conn, work.alliance_id)
    if repo.purchase_by_order(store.merchant_id, request.receipt_no) is not None:
        raise DuplicateOrder(receipt_no=request.receipt_no)
    work.emit(
        "counter.backfill_requested", backfill_id, merchant_id=store.merchant_id, store_id=store.store_id,
        member_id=member.member_id, amount_fen=request.amount_fen, status=status.value,
    )  # fmt: skip
    work.audit(
        "counter.backfill_requested", object_type="backfill", object_id=backfill_id,
        merchant_id=store.merchant_id, store_id=store.store_id,
        details={"receipt_no": request.receipt_no, "amount_fen": request.amount_fen, "status": status.value},
    )  # fmt: skip
    if status is BackfillStatus.APPROVED:
        _record(work, repo, backfill_id=backfill_id, store=store, member=member, lines=request.lines)
    return _view(conn, work.alliance_id, repo.backfill(backfill_id))


@handlers.register()
def decide_backfill(command: DecideBackfill, work: Work) -> BackfillReceipt:
    conn, actor = work.connection, work.actor
    repo = CounterRepository(conn, work.alliance_id)
    row = repo.backfill(command.backfill_id, lock=True)
    if row is None or actor.merchant_id != row.merchant_id:
        raise BackfillNotFound(backfill_id=command.backfill_id)
    access.require_owner(actor, row.merchant_id)
    wanted = BackfillStatus.APPROVED.value if command.approve else "rejected"
    if row.status == wanted:  # the same decision again: nothing more to do
        work.replayed = True
        return _view(conn, work.alliance_id, row)
    if row.status != BackfillStatus.NEEDS_APPROVAL.value:
        raise BackfillNotPending(backfill_id=command.backfill_id, status=row.status)
    repo.update_backfill(
        command.backfill_id,
        status=wanted,
        decided_by=actor.id,
        decided_at=work.now,
        decision_note=command.note,
    )
    work.audit(
        f"counter.backfill_{wanted}", object_type="backfill", object_id=row.backfill_id,
        merchant_id=row.merchant_id, store_id=row.store_id, details={"amount_fen": int(row.amount_fen)},
    )  # fmt: skip
    if command.approve:
        if repo.purchase_by_order(row.merchant_id, row.receipt_no) is not None:
            raise DuplicateOrder(receipt_no=row.receipt_no)
        ports = work.deps.ports
        store = ports.merchants.store(conn, work.alliance_id, row.store_id)
        member = ports.members.get(conn, work.alliance_id, row.member_id, merchant_id=row.merchant_id)
        lines = tuple(_lines(row.request.get("lines", [])))
        _record(work, repo, backfill_id=command.backfill_id, store=store, member=member, lines=lines)
    return _view(conn, work.alliance_id, repo.backfill(command.backfill_id))


def _lines(raw: list[Any]) -> list[CategoryLine]:
    return [CategoryLine(str(category), int(amount)) for category, amount in raw]


def _record(
    work: Work,
    repo: CounterRepository,
    *,
    backfill_id: str,
    store: StoreRef,
    member: MemberRef,
    lines: tuple[CategoryLine, ...],
) -> None:
    conn = work.connection
    row = repo.backfill(backfill_id)
    assert row is not None
    purchase_id = new_id("pur")
    if not repo.claim_purchase(
        purchase_id=purchase_id, merchant_id=store.merchant_id, store_id=store.store_id,
        order_no=row.receipt_no, source="backfill", fingerprint=row.fingerprint,
        occurred_at=row.purchased_at, recorded_at=work.now, actor_id=work.actor.id,
    ):  # fmt: skip
        raise DuplicateOrder(receipt_no=row.receipt_no)
    ledger = work.deps.ledger.for_command(work)
    balance = ledger.store.lock_balance(chart.member_points(member.member_id)) or 0
    loyalty = work.deps.loyalty.get(conn, work.alliance_id, work.memo)
    q = quoting.quote(
        conn, work.deps.ports, alliance_id=work.alliance_id, store=store, member=member,
        amount_fen=int(row.amount_fen), lines=lines, requested_points=0, balance=balance,
        occurred_at=row.purchased_at, now=work.now, loyalty=loyalty,
    )  # fmt: skip
    record_purchase(work, ledger, q, purchase_id=purchase_id, order_no=row.receipt_no, source="backfill")
    work.writes.flush()  # the backfill's view reads the purchase row back
    repo.update_backfill(backfill_id, purchase_id=purchase_id)


def _view(conn: Connection, alliance_id: str, row: Any) -> BackfillReceipt:
    purchase = replay_of(conn, alliance_id, row.merchant_id, row.receipt_no) if row.purchase_id else None
    return BackfillReceipt(
        backfill_id=row.backfill_id, status=row.status, store_id=row.store_id, receipt_no=row.receipt_no,
        amount_fen=int(row.amount_fen), purchased_at=row.purchased_at, purchase=purchase,
        decided_at=row.decided_at, decision_note=row.decision_note,
    )  # fmt: skip
