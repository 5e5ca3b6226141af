"""Refunds of spent points waiting for the owner or a manager (issue 12 item 6).

A cashier's or a POS key's refund that would take the member's balance below zero is refused
whole (``counter.refund_needs_manager``, nothing written); the service then files it here as a
request under its refund number, with the points the member lacks. The owner or a manager
approves it, as a debt within the alliance's limit (``below_zero``) or, where the alliance allows
it, as the cash minus the spent points' value (``cash_minus_points``), or rejects it. Approving
records the refund under the request's number, in the decision's one transaction; the cashier
asking again with the same number then gets that refund's receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from guildcard.counter.commands import RefundInput
from guildcard.counter.domain.errors import (
    CounterForbidden,
    RefundBelowZeroNotAllowed,
    RefundCashNotAllowed,
    RefundConflict,
    RefundRequestNotFound,
    RefundRequestNotPending,
)
from guildcard.counter.domain.receipts import RefundRequestReceipt
from guildcard.counter.domain.refunds import SettleAs, points_value_fen
from guildcard.counter.handlers.base import CounterDeps, handlers
from guildcard.counter.handlers.refund import locked_purchase, perform_refund
from guildcard.counter.storage.receipts import load_refund
from guildcard.counter.storage.repository import CounterRepository
from guildcard.kernel.actors import Actor
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.kernel.permissions import Perm, allows
from guildcard.ledger.domain.policy import NegativeMode
from guildcard.pipeline import Command, Work

_CLAIMED = "counter.claimed_refund_request"


@dataclass(frozen=True, kw_only=True)
class AskRefundApproval(Command):
    scope = "counter.refund_request"
    refund: RefundInput
    shortfall_points: int


@dataclass(frozen=True, kw_only=True)
class DecideRefundRequest(Command):
    scope = "counter.refund_decision"
    request_id: str
    approve: bool
    settle_as: SettleAs = SettleAs.BELOW_ZERO
    note: str | None = None


def _claim(command: AskRefundApproval, work: Work) -> RefundRequestReceipt | None:
    """Claim the refund number for the request, or the first request's state when it is the same."""
    request, conn = command.refund, work.connection
    store, repo, purchase = locked_purchase(work, request)
    # The same identity as the refund's: approving records the refund this fingerprint replays.
    digest, request_id = (
        fingerprint({"order_no": request.order_no, "amount_fen": request.amount_fen}),
        new_id("rfr"),
    )
    if repo.claim_refund_request(
        request_id=request_id, merchant_id=store.merchant_id, store_id=purchase.store_id,
        order_no=request.order_no, refund_no=request.refund_no, purchase_id=purchase.purchase_id,
        member_id=purchase.member_id, amount_fen=request.amount_fen,
        shortfall_points=command.shortfall_points, status="pending", fingerprint=digest,
        requested_by=work.actor.id, requested_at=work.now,
    ):  # fmt: skip
        work.memo[_CLAIMED] = (purchase, request_id)
        return None
    first = repo.refund_request_by_no(store.merchant_id, request.refund_no)
    assert first is not None
    if first.fingerprint != digest:
        raise RefundConflict(refund_no=request.refund_no)
    return view(conn, work.deps, work.alliance_id, first, work.memo)


@handlers.register(claim=_claim)
def ask_refund_approval(command: AskRefundApproval, work: Work) -> RefundRequestReceipt:
    purchase, request_id = work.memo[_CLAIMED]
    request = command.refund
    work.emit(
        "counter.refund_requested", request_id, merchant_id=purchase.merchant_id,
        store_id=purchase.store_id, member_id=purchase.member_id, amount_fen=request.amount_fen,
        shortfall_points=command.shortfall_points,
    )  # fmt: skip
    work.audit(
        "counter.refund_requested", object_type="refund", object_id=request.refund_no,
        merchant_id=purchase.merchant_id, store_id=purchase.store_id,
        details={"order_no": request.order_no, "amount_fen": request.amount_fen,
                 "shortfall_points": command.shortfall_points},
    )  # fmt: skip
    row = CounterRepository(work.connection, work.alliance_id).refund_request(request_id)
    return view(work.connection, work.deps, work.alliance_id, row, work.memo)


@handlers.register()
def decide_refund_request(command: DecideRefundRequest, work: Work) -> RefundRequestReceipt:
    conn, actor = work.connection, work.actor
    repo = CounterRepository(conn, work.alliance_id)
    row = repo.refund_request(command.request_id, lock=True)
    if row is None or actor.merchant_id != row.merchant_id:
        raise RefundRequestNotFound(request_id=command.request_id)
    _require_decider(actor, row.merchant_id)
    wanted = "approved" if command.approve else "rejected"
    if row.status == wanted:  # the same decision again: nothing more to do
        work.replayed = True
        return view(conn, work.deps, work.alliance_id, row, work.memo)
    if row.status != "pending":
        raise RefundRequestNotPending(request_id=command.request_id, status=row.status)
    settle_as = command.settle_as if command.approve else None
    refund_id = _approve(work, repo, row, command.settle_as) if command.approve else None
    repo.update_refund_request(
        row.request_id, status=wanted, settle_as=settle_as.value if settle_as else None, refund_id=refund_id,
        decided_by=actor.id, decided_at=work.now, decision_note=command.note,
    )  # fmt: skip
    work.audit(
        f"counter.refund_{wanted}", object_type="refund", object_id=row.refund_no,
        merchant_id=row.merchant_id, store_id=row.store_id,
        details={"order_no": row.order_no, "amount_fen": int(row.amount_fen),
                 "shortfall_points": int(row.shortfall_points),
                 "settle_as": settle_as.value if settle_as else None},
    )  # fmt: skip
    work.writes.flush()  # the view reads the approved refund's receipt back
    return view(conn, work.deps, work.alliance_id, repo.refund_request(row.request_id), work.memo)


def _require_decider(actor: Actor, merchant_id: str) -> None:
    if not (actor.is_staff_of(merchant_id) and allows(actor, Perm.REFUND_DECIDE)):
        raise CounterForbidden("Only the owner or a manager may decide on a refund request.")


def _approve(work: Work, repo: CounterRepository, row: Any, settle_as: SettleAs) -> str:
    """Record the refund under the request's number, settled as decided; its refund id."""
    options = _options(work.connection, work.deps, work.alliance_id, work.memo)
    if settle_as is SettleAs.CASH_MINUS_POINTS and not options.cash:
        raise RefundCashNotAllowed(request_id=row.request_id)
    if settle_as is SettleAs.BELOW_ZERO and not options.below_zero:
        raise RefundBelowZeroNotAllowed(request_id=row.request_id)
    purchase = repo.purchase_by_order(row.merchant_id, row.order_no, lock=True)
    assert purchase is not None
    refund_id = new_id("rfd")
    if not repo.claim_refund(
        refund_id=refund_id, merchant_id=row.merchant_id, refund_no=row.refund_no,
        purchase_id=purchase.purchase_id, amount_fen=int(row.amount_fen), fingerprint=row.fingerprint,
        recorded_at=work.now, actor_id=work.actor.id,
    ):  # fmt: skip
        first = repo.refund_by_no(row.merchant_id, row.refund_no)  # refunded meanwhile, e.g. by the owner
        assert first is not None
        if first.fingerprint != row.fingerprint:
            raise RefundConflict(refund_no=row.refund_no)
        return str(first.refund_id)
    request = RefundInput(row.store_id, row.order_no, row.refund_no, int(row.amount_fen))
    perform_refund(work, purchase, refund_id, request, settle_as)
    return refund_id


@dataclass(frozen=True)
class _Options:
    below_zero: bool  # the alliance lets a balance go below zero (within its limit)
    cash: bool  # the alliance lets the owner refund the cash minus the spent points' value
    points_per_yuan: int


def _options(conn: Connection, deps: CounterDeps, alliance_id: str, memo: dict[str, Any]) -> _Options:
    settings = deps.loyalty.get(conn, alliance_id, memo).settings
    negative = deps.ledger.settings.get(conn, alliance_id, memo).negative
    return _Options(
        negative.mode is NegativeMode.ALLOW,
        settings.refund_cash_for_spent_points,
        settings.redeem_points_per_yuan,
    )


def view(
    conn: Connection, deps: CounterDeps, alliance_id: str, row: Any, memo: dict[str, Any] | None = None
) -> RefundRequestReceipt:
    """A request as its reader sees it: the options the alliance leaves, the refund once recorded."""
    options = _options(conn, deps, alliance_id, memo if memo is not None else {})
    refund = None
    if row.refund_id:
        stored = CounterRepository(conn, alliance_id).refund_by_no(row.merchant_id, row.refund_no)
        refund = load_refund(stored.receipt) if stored is not None and stored.receipt else None
    shortfall = int(row.shortfall_points)
    return RefundRequestReceipt(
        request_id=row.request_id, status=row.status, store_id=row.store_id, order_no=row.order_no,
        refund_no=row.refund_no, amount_fen=int(row.amount_fen), shortfall_points=shortfall,
        requested_by=row.requested_by, requested_at=row.requested_at, below_zero_allowed=options.below_zero,
        cash_option_fen=points_value_fen(shortfall, points_per_yuan=options.points_per_yuan)
        if options.cash else None,
        settle_as=row.settle_as, refund=refund, decided_at=row.decided_at, decision_note=row.decision_note,
    )  # fmt: skip
