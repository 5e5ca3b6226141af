"""Refunds by order number, whole or partial, each its own idempotent entry.

Under the purchase's row lock: claim the refund number, take the cumulative proportional
share (``domain.refunds``), then reverse in the ledger: earned points are clawed back
(pending ones simply void; when already spent, the alliance's negative-balance policy
applies), points used go back to their original lots and expiry (expired ones to
breakage), growth is taken back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from guildcard.counter import access
from guildcard.counter.commands import RefundInput, Written
from guildcard.counter.domain.amounts import check_bill
from guildcard.counter.domain.errors import PurchaseNotFound
from guildcard.counter.domain.refunds import RefundShare, Settled, refund_share
from guildcard.counter.storage.repository import CounterRepository
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import IdempotencyConflict, InvalidInput
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.ledger import Ledger
from guildcard.ledger.reversal import reverse


def refund(service: Any, actor: Actor, request: RefundInput) -> Written:
    """``service`` is the ``CounterService``."""
    store = access.store_for(actor, request.store_id, service.ports.merchants)
    check_bill(request.amount_fen)  # positive and not absurd, before anything is stored
    if not request.refund_no.strip():
        raise InvalidInput("A refund number is required.", field="refund_no")
    digest = fingerprint({"order_no": request.order_no, "amount_fen": request.amount_fen})

    def work(conn: Connection) -> Written:
        repo = CounterRepository(conn, actor.alliance_id)
        purchase = repo.purchase_by_order(store.merchant_id, request.order_no, lock=True)
        if purchase is None or purchase.status == "claimed":
            raise PurchaseNotFound(order_no=request.order_no)
        refund_id, now = new_id("rfd"), service.clock.now()
        claimed = repo.claim_refund(
            refund_id=refund_id, merchant_id=store.merchant_id, refund_no=request.refund_no,
            purchase_id=purchase.purchase_id, amount_fen=request.amount_fen, fingerprint=digest,
            recorded_at=now, actor_id=actor.id,
        )  # fmt: skip
        if not claimed:
            first = repo.refund_by_no(store.merchant_id, request.refund_no)
            assert first is not None
            if first.fingerprint != digest:
                raise IdempotencyConflict(scope="counter.refund", key=request.refund_no)
            return Written(dict(first.receipt), replayed=True)
        share = refund_share(
            _settled(purchase), already_refunded_fen=int(purchase.refunded_fen), refund_fen=request.amount_fen
        )
        ledger = service.ledger(conn, actor.alliance_id)
        entries = _reverse(ledger, purchase, share, refund_id)
        refunded = int(purchase.refunded_fen) + share.refund_fen
        status = "refunded" if share.final else "partially_refunded"
        repo.finish_purchase(purchase.purchase_id, refunded_fen=refunded, status=status)
        receipt = {
            "refund_id": refund_id, "refund_no": request.refund_no, "order_no": request.order_no,
            "purchase_id": purchase.purchase_id, "amount_fen": share.refund_fen, "cash_fen": share.cash_fen,
            "points_value_fen": share.points_value_fen, "points_restored": share.points_restored,
            "points_clawed_back": share.points_clawed_back, "growth_reversed": share.growth_reversed,
            "points_to_breakage": entries.pop("to_breakage"), "refunded_fen": refunded,
            "refundable_fen": int(purchase.payable_fen) - refunded, "purchase_status": status,
            "entries": entries, "recorded_at": now.isoformat(),
        }  # fmt: skip
        repo.finish_refund(refund_id, receipt)
        return Written(receipt)

    result: Written = service.write(work)
    return result


def _settled(purchase: Any) -> Settled:
    return Settled(
        payable_fen=int(purchase.payable_fen),
        cash_fen=int(purchase.cash_fen),
        points_used=int(purchase.points_used),
        points_value_fen=int(purchase.points_value_fen),
        points_earned=int(purchase.points_earned),
        growth=int(purchase.growth),
    )


def _reverse(ledger: Ledger, purchase: Any, share: RefundShare, refund_id: str) -> dict[str, Any]:
    """Restore the points used first, so that a clawback can take from them before going negative."""
    moves = [
        ("spend", purchase.spend_entry_id, share.points_restored),
        ("award", purchase.award_entry_id, share.points_clawed_back),
        ("growth", purchase.growth_entry_id, share.growth_reversed),
    ]
    done: dict[str, Any] = {"to_breakage": 0}
    for name, entry_id, amount in moves:
        if entry_id and amount:
            result = reverse(
                ledger, entry_id, idempotency_key=f"{refund_id}:{name}", amount=amount, reference=refund_id
            )
            done[name] = result.entry_id
            done["to_breakage"] += result.to_breakage
    return done
