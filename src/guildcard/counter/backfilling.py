"""Backfill (消费补录): a past purchase recorded from its receipt, owner-approved above a limit.

The receipt number shares the order-number space of the merchant: a receipt already
recorded (at the counter or by an earlier backfill) is refused as ``counter.duplicate_order``;
the same request sent again replays. Earn uses the rules, campaigns and terms in force at
the purchase time; pending points become available ``pending_days`` after recording.
An approval records the purchase even if the window has passed while it waited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from guildcard.counter import access, settle
from guildcard.counter.commands import BackfillInput, Written
from guildcard.counter.domain.amounts import CategoryLine, check_bill, check_category_lines
from guildcard.counter.domain.backfill import BackfillPolicy, BackfillStatus, assess_backfill
from guildcard.counter.domain.errors import BackfillNotFound, BackfillNotPending, DuplicateOrder
from guildcard.counter.storage.repository import CounterRepository
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import ensure_utc
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.ledger import chart


def request_backfill(service: Any, actor: Actor, request: BackfillInput) -> Written:
    store = service.open_store(actor, request.store_id)
    check_bill(request.amount_fen)
    check_category_lines(request.lines, bill_fen=request.amount_fen)
    if not request.receipt_no.strip():
        raise InvalidInput("A receipt number is required.", field="receipt_no")
    purchased_at = ensure_utc(request.purchased_at)
    # A backfill only identifies the member (usually by phone); the receipt number, not the
    # member code, is what makes it happen once.
    member = service.resolve_member(actor.alliance_id, request.member, merchant_id=store.merchant_id)
    body = {
        "store_id": store.store_id, "receipt_no": request.receipt_no,
        "purchased_at": purchased_at.isoformat(), "amount_fen": request.amount_fen,
        "member_id": member.member_id,
        "lines": [(x.category, x.amount_fen) for x in request.lines],
    }  # fmt: skip
    digest = fingerprint(body)

    def work(conn: Connection) -> Written:
        repo, now = CounterRepository(conn, actor.alliance_id), service.clock.now()
        settings = settle.loyalty_settings(conn, actor.alliance_id)
        policy = BackfillPolicy(settings.backfill_window_days, settings.backfill_approval_threshold_fen)
        status = assess_backfill(policy, purchased_at=purchased_at, now=now, amount_fen=request.amount_fen)
        backfill_id = new_id("bf")
        claimed = repo.claim_backfill(
            backfill_id=backfill_id, merchant_id=store.merchant_id, store_id=store.store_id,
            receipt_no=request.receipt_no, member_id=member.member_id, amount_fen=request.amount_fen,
            purchased_at=purchased_at, status=status.value, fingerprint=digest, request=body,
            requested_by=actor.id, requested_at=now,
        )  # fmt: skip
        if not claimed:
            first = repo.backfill_by_receipt(store.merchant_id, request.receipt_no)
            assert first is not None
            if first.fingerprint != digest:
                raise DuplicateOrder(receipt_no=request.receipt_no)
            return Written(_view(first, repo), replayed=True)
        if repo.purchase_by_order(store.merchant_id, request.receipt_no) is not None:
            raise DuplicateOrder(receipt_no=request.receipt_no)
        if status is BackfillStatus.APPROVED:
            _record(
                service, conn, actor, repo=repo, backfill_id=backfill_id, store=store, member=member,
                lines=request.lines,
            )  # fmt: skip
        row = repo.backfill(backfill_id)
        return Written(_view(row, repo))

    result: Written = service.write(work)
    return result


def decide_backfill(
    service: Any, actor: Actor, backfill_id: str, *, approve: bool, note: str | None
) -> Written:
    def work(conn: Connection) -> Written:
        repo = CounterRepository(conn, actor.alliance_id)
        row = repo.backfill(backfill_id, lock=True)
        if row is None or actor.merchant_id != row.merchant_id:
            raise BackfillNotFound(backfill_id=backfill_id)
        access.require_owner(actor, row.merchant_id)
        wanted = BackfillStatus.APPROVED.value if approve else "rejected"
        if row.status == wanted:
            return Written(_view(row, repo), replayed=True)
        if row.status != BackfillStatus.NEEDS_APPROVAL.value:
            raise BackfillNotPending(backfill_id=backfill_id, status=row.status)
        now = service.clock.now()
        repo.update_backfill(
            backfill_id, status=wanted, decided_by=actor.id, decided_at=now, decision_note=note
        )
        if approve:
            if repo.purchase_by_order(row.merchant_id, row.receipt_no) is not None:
                raise DuplicateOrder(receipt_no=row.receipt_no)
            store = service.ports.merchants.store(actor.alliance_id, row.store_id)
            member = service.ports.members.get(actor.alliance_id, row.member_id, merchant_id=row.merchant_id)
            lines = tuple(_lines(row.request.get("lines", [])))
            _record(
                service, conn, actor, repo=repo, backfill_id=backfill_id, store=store, member=member,
                lines=lines,
            )  # fmt: skip
        return Written(_view(repo.backfill(backfill_id), repo))

    result: Written = service.write(work)
    return result


def _lines(raw: list[Any]) -> list[CategoryLine]:
    return [CategoryLine(str(category), int(amount)) for category, amount in raw]


def _record(
    service: Any,
    conn: Connection,
    actor: Actor,
    *,
    repo: CounterRepository,
    backfill_id: str,
    store: Any,
    member: Any,
    lines: tuple[CategoryLine, ...],
) -> None:
    row = repo.backfill(backfill_id)
    assert row is not None
    purchase_id, now = new_id("pur"), service.clock.now()
    if not repo.claim_purchase(
        purchase_id=purchase_id, merchant_id=store.merchant_id, store_id=store.store_id,
        order_no=row.receipt_no, source="backfill", fingerprint=row.fingerprint,
        occurred_at=row.purchased_at, recorded_at=now, actor_id=actor.id,
    ):  # fmt: skip
        raise DuplicateOrder(receipt_no=row.receipt_no)
    ledger = service.ledger(conn, actor.alliance_id)
    balance = ledger.store.lock_balance(chart.member_points(member.member_id)) or 0
    q = settle.quote(
        conn, service.ports, alliance_id=actor.alliance_id, store=store, member=member,
        amount_fen=int(row.amount_fen), lines=lines, requested_points=0, balance=balance,
        occurred_at=row.purchased_at, now=now, settings=settle.loyalty_settings(conn, actor.alliance_id),
    )  # fmt: skip
    service.record(
        conn, ledger, q, purchase_id=purchase_id, order_no=row.receipt_no, source="backfill", actor=actor
    )
    repo.update_backfill(backfill_id, purchase_id=purchase_id)


def _view(row: Any, repo: CounterRepository) -> dict[str, Any]:
    receipt = None
    if row.purchase_id:
        purchase = repo.purchase_by_order(row.merchant_id, row.receipt_no)
        receipt = dict(purchase.receipt) if purchase is not None else None
    return {
        "backfill_id": row.backfill_id, "status": row.status, "store_id": row.store_id,
        "receipt_no": row.receipt_no, "amount_fen": int(row.amount_fen),
        "purchased_at": row.purchased_at.isoformat(), "purchase": receipt,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decision_note": row.decision_note,
    }  # fmt: skip
