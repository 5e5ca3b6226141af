"""Refunds by order number, whole or partial, each its own idempotent entry.

Under the purchase's row lock: claim the refund number, take the cumulative proportional
share (``domain.refunds``), then reverse in the ledger: earned points are clawed back
(pending ones simply void; when already spent, the alliance's negative-balance policy
applies), points used go back to their original lots and expiry (expired ones to
breakage), growth is taken back. Stored value goes back to the wallet in the same shares
(principal and bonus apart), the coupon goes back when its owner's policy says so, and the
tier reacts to the growth taken back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guildcard.counter import access
from guildcard.counter.commands import RefundInput
from guildcard.counter.domain.amounts import check_bill
from guildcard.counter.domain.errors import PurchaseNotFound, RefundConflict, RefundNeedsManager
from guildcard.counter.domain.receipts import RefundReceipt
from guildcard.counter.domain.refunds import RefundShare, SettleAs, Settled, keep_spent_points, refund_share
from guildcard.counter.domain.stages import TierChange
from guildcard.counter.handlers.base import handlers, store_for
from guildcard.counter.ports import StoreRef
from guildcard.counter.storage.receipts import dump_refund, load_refund
from guildcard.counter.storage.repository import CounterRepository
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.ledger import Ledger
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.errors import NegativeLimitExceeded
from guildcard.ledger.domain.lots import LotState
from guildcard.ledger.reversal import reverse
from guildcard.pipeline import Command, Work

_CLAIMED = "counter.claimed_refund"


@dataclass(frozen=True, kw_only=True)
class RefundPurchase(Command):
    scope = "counter.refund"
    refund: RefundInput

    def identity(self) -> dict[str, Any]:
        return {"order_no": self.refund.order_no, "amount_fen": self.refund.amount_fen}


def _check(_actor: Actor, command: RefundPurchase) -> None:
    check_bill(command.refund.amount_fen)  # positive and not absurd, before anything is stored
    if not command.refund.refund_no.strip():
        raise InvalidInput("A refund number is required.", field="refund_no")


def locked_purchase(work: Work, request: RefundInput) -> tuple[StoreRef, CounterRepository, Any]:
    """The store, the repository and the refunded purchase's row, locked; the purchase must be at
    a store the actor reaches."""
    store = store_for(work.connection, work.deps, work.actor, request.store_id, work.memo)
    repo = CounterRepository(work.connection, work.alliance_id)
    purchase = repo.purchase_by_order(store.merchant_id, request.order_no, lock=True)
    if purchase is None or purchase.status == "claimed":
        raise PurchaseNotFound(order_no=request.order_no)
    access.check_purchase_store(work.actor, purchase.store_id, request.order_no)
    return store, repo, purchase


def _claim(command: RefundPurchase, work: Work) -> RefundReceipt | None:
    """Lock the purchase and claim the refund number, or the first refund's receipt."""
    request = command.refund
    store, repo, purchase = locked_purchase(work, request)
    refund_id, digest = new_id("rfd"), fingerprint(command.identity())
    if repo.claim_refund(
        refund_id=refund_id, merchant_id=store.merchant_id, refund_no=request.refund_no,
        purchase_id=purchase.purchase_id, amount_fen=request.amount_fen, fingerprint=digest,
        recorded_at=work.now, actor_id=work.actor.id,
    ):  # fmt: skip
        work.memo[_CLAIMED] = (purchase, refund_id)
        return None
    first = repo.refund_by_no(store.merchant_id, request.refund_no)
    assert first is not None
    if first.fingerprint != digest:
        raise RefundConflict(refund_no=request.refund_no)
    return load_refund(first.receipt)


@handlers.register(authorize=_check, claim=_claim)
def refund_purchase(command: RefundPurchase, work: Work) -> RefundReceipt:
    purchase, refund_id = work.memo[_CLAIMED]
    return perform_refund(work, purchase, refund_id, command.refund)


def perform_refund(
    work: Work, purchase: Any, refund_id: str, request: RefundInput, settle_as: SettleAs | None = None
) -> RefundReceipt:
    """The refund under the purchase's lock and its claimed number; ``settle_as`` is the owner's or
    a manager's decision on a refund of spent points (``None``: a refund as asked at the counter)."""
    conn = work.connection
    repo = CounterRepository(conn, work.alliance_id)
    share = refund_share(
        _settled(purchase), already_refunded_fen=int(purchase.refunded_fen), refund_fen=request.amount_fen
    )
    ledger = work.deps.ledger.for_command(work)
    entries, to_breakage = _reverse(
        ledger, [("spend", purchase.spend_entry_id, share.points_restored)], refund_id
    )
    kept = withheld = 0
    if settle_as is SettleAs.CASH_MINUS_POINTS and not _pending_award(ledger, purchase):
        available = ledger.store.balance(chart.member_points(purchase.member_id)) or 0
        per_yuan = work.deps.loyalty.get(conn, work.alliance_id, work.memo).settings.redeem_points_per_yuan
        share, kept, withheld = keep_spent_points(share, available=available, points_per_yuan=per_yuan)
    later = [
        ("award", purchase.award_entry_id, share.points_clawed_back),
        ("growth", purchase.growth_entry_id, share.growth_reversed),
    ]
    try:
        more, more_breakage = _reverse(ledger, later, refund_id)
    except NegativeLimitExceeded as refused:  # the alliance blocks: only cash minus points can help
        if settle_as is None and needs_approval(work.actor) and _cash_allowed(work):
            balance = int(refused.details.get("balance") or 0)
            raise RefundNeedsManager(
                order_no=request.order_no, shortfall_points=share.points_clawed_back - max(balance, 0)
            ) from refused
        raise
    entries, to_breakage = entries | more, to_breakage + more_breakage
    # Spent points clawed back into a debt: within the alliance's limit, but only with the owner's
    # or a manager's approval (raising here rolls the whole refund back; the service then asks).
    balance = ledger.store.balance(chart.member_points(purchase.member_id)) or 0
    shortfall = min(-balance, share.points_clawed_back)
    if settle_as is None and needs_approval(work.actor) and shortfall > 0:
        raise RefundNeedsManager(order_no=request.order_no, shortfall_points=shortfall)
    stages = _give_back_stages(work, purchase, share, refund_id, entries)
    refunded = int(purchase.refunded_fen) + share.refund_fen
    status = "refunded" if share.final else "partially_refunded"
    repo.finish_purchase(work.writes, purchase.purchase_id, refunded_fen=refunded, status=status)
    receipt = RefundReceipt(
        refund_id=refund_id, refund_no=request.refund_no, order_no=request.order_no,
        purchase_id=purchase.purchase_id, amount_fen=share.refund_fen, cash_fen=share.cash_fen,
        points_value_fen=share.points_value_fen, points_restored=share.points_restored,
        points_clawed_back=share.points_clawed_back, growth_reversed=share.growth_reversed,
        points_to_breakage=to_breakage, refunded_fen=refunded,
        refundable_fen=int(purchase.payable_fen) - refunded, purchase_status=status,
        recorded_at=work.now, entries=entries, wallet_principal_fen=share.wallet_principal_fen,
        wallet_bonus_fen=share.wallet_bonus_fen, coupon_returned=stages.coupon_returned,
        tier_change=stages.tier_change, points_kept=kept, cash_withheld_fen=withheld,
    )  # fmt: skip
    repo.finish_refund(work.writes, refund_id, dump_refund(receipt))
    work.emit(
        "counter.purchase_refunded", refund_id, purchase_id=purchase.purchase_id,
        merchant_id=purchase.merchant_id, store_id=purchase.store_id, member_id=purchase.member_id,
        amount_fen=share.refund_fen, points_clawed_back=share.points_clawed_back,
        points_restored=share.points_restored, purchase_status=status,
    )  # fmt: skip
    work.audit(
        "counter.refund", object_type="refund", object_id=request.refund_no, merchant_id=purchase.merchant_id,
        store_id=purchase.store_id, details={"order_no": request.order_no, "amount_fen": share.refund_fen},
    )  # fmt: skip
    return receipt


def _cash_allowed(work: Work) -> bool:
    settings = work.deps.loyalty.get(work.connection, work.alliance_id, work.memo).settings
    return bool(settings.refund_cash_for_spent_points)


def _pending_award(ledger: Ledger, purchase: Any) -> bool:
    """The earned points are still pending: voiding them never touches the balance."""
    lot = ledger.store.lot_of_entry(purchase.award_entry_id) if purchase.award_entry_id else None
    return lot is None or lot.state is LotState.PENDING


def _settled(purchase: Any) -> Settled:
    return Settled(
        payable_fen=int(purchase.payable_fen),
        cash_fen=int(purchase.cash_fen),
        points_used=int(purchase.points_used),
        points_value_fen=int(purchase.points_value_fen),
        points_earned=int(purchase.points_earned),
        growth=int(purchase.growth),
        wallet_principal_fen=int(purchase.wallet_principal_fen),
        wallet_bonus_fen=int(purchase.wallet_bonus_fen),
    )


@dataclass(frozen=True)
class _Stages:
    coupon_returned: bool = False
    tier_change: TierChange | None = None


def _give_back_stages(
    work: Work, purchase: Any, share: RefundShare, refund_id: str, entries: dict[str, str]
) -> _Stages:
    """Stored value back to the wallet, the coupon back (its owner decides), the tier's reaction."""
    ports, conn, alliance_id = work.deps.ports, work.connection, work.alliance_id
    if share.wallet_principal_fen or share.wallet_bonus_fen:
        entries["wallet"] = ports.wallet.give_back(
            conn, alliance_id=alliance_id, member_id=purchase.member_id, merchant_id=purchase.merchant_id,
            purchase_id=purchase.purchase_id, refund_id=refund_id,
            principal_fen=share.wallet_principal_fen, bonus_fen=share.wallet_bonus_fen, at=work.now,
        )  # fmt: skip
    returned = False
    if purchase.coupon_id:
        returned = ports.coupons.on_refund(
            conn, alliance_id=alliance_id, purchase_id=purchase.purchase_id, coupon_id=purchase.coupon_id,
            refund_id=refund_id, final=share.final, at=work.now,
        )  # fmt: skip
    change = None
    if share.growth_reversed:
        change = ports.tiers.after_refund(
            conn, alliance_id=alliance_id, member_id=purchase.member_id, purchase_id=purchase.purchase_id,
            growth_reversed=share.growth_reversed, final=share.final, at=work.now,
        )  # fmt: skip
    return _Stages(returned, change)


def needs_approval(actor: Actor) -> bool:
    """A cashier's or a POS key's refund that takes a member's balance below zero waits for an owner
    or manager."""
    return actor.kind is ActorKind.POS or (actor.kind is ActorKind.STAFF and actor.role == "cashier")


def _reverse(
    ledger: Ledger, moves: list[tuple[str, str | None, int]], refund_id: str
) -> tuple[dict[str, str], int]:
    """Reverse ``moves`` in order; the points used are restored first, so that a clawback can take
    from them before going negative."""
    entries: dict[str, str] = {}
    to_breakage = 0
    for name, entry_id, amount in moves:
        if entry_id and amount:
            result = reverse(
                ledger, entry_id, idempotency_key=f"{refund_id}:{name}", amount=amount, reference=refund_id
            )
            entries[name] = result.entry_id
            to_breakage += result.to_breakage
    return entries, to_breakage
