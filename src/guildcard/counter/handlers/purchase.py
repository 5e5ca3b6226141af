"""Commit a purchase: spend, award, growth and the purchase row in one transaction.

The purchase is idempotent on (merchant, order number): the claim inserts the purchase row
first; a retry finds it and gets the first receipt (the member code is left out of the
fingerprint: it rotates, and a retry may carry a fresh one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from guildcard.counter.commands import PurchaseInput
from guildcard.counter.domain.amounts import check_bill, check_category_lines
from guildcard.counter.domain.errors import OrderConflict, PreviewStale
from guildcard.counter.domain.pricing import (
    require_coupon_stacking,
    require_points_allowed,
    require_wallet_allowed,
)
from guildcard.counter.domain.receipts import PurchaseReceipt
from guildcard.counter.handlers import quoting
from guildcard.counter.handlers.base import CounterDeps, handlers, open_store, resolve_member
from guildcard.counter.ports import MemberRef, StoreRef
from guildcard.counter.storage.receipts import dump_purchase, load_purchase
from guildcard.counter.storage.repository import CounterRepository
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.ledger import Ledger
from guildcard.pipeline import Command, Work

_CLAIMED = "counter.claimed_purchase"


@dataclass(frozen=True, kw_only=True)
class CommitPurchase(Command):
    scope = "counter.commit"
    purchase: PurchaseInput

    def identity(self) -> dict[str, Any]:
        return self.purchase.identity()


def check_purchase_input(request: PurchaseInput) -> None:
    check_bill(request.amount_fen)
    check_category_lines(request.lines, bill_fen=request.amount_fen)
    if not request.order_no.strip():
        raise InvalidInput("An order number is required.", field="order_no")
    if request.points_to_use is not None and request.points_to_use < 0:
        raise InvalidInput("Points to use cannot be negative.", field="points_to_use")
    if request.wallet_fen < 0:
        raise InvalidInput("Stored value to use cannot be negative.", field="wallet_fen")
    if request.items is not None and (isinstance(request.items, bool) or request.items < 0):
        raise InvalidInput("An item count is a whole number, 0 or more.", field="items")


def _check(_actor: Actor, command: CommitPurchase) -> None:
    check_purchase_input(command.purchase)
    if command.purchase.points_to_use is None:
        raise InvalidInput("Say how many points pay (0 for none).", field="points_to_use")


def _claim(command: CommitPurchase, work: Work) -> PurchaseReceipt | None:
    """Claim (merchant, order number), or the first receipt when it is taken."""
    request, conn = command.purchase, work.connection
    store = open_store(conn, work.deps, work.actor, request.store_id, work.memo)
    repo, purchase_id = CounterRepository(conn, work.alliance_id), new_id("pur")
    digest = fingerprint(command.identity())
    if repo.claim_purchase(
        purchase_id=purchase_id, merchant_id=store.merchant_id, store_id=store.store_id,
        order_no=request.order_no, source="counter", fingerprint=digest, occurred_at=work.now,
        recorded_at=work.now, actor_id=work.actor.id,
    ):  # fmt: skip
        work.memo[_CLAIMED] = (store, purchase_id)
        return None
    row = repo.purchase_by_order(store.merchant_id, request.order_no)
    assert row is not None, "a claim failed, so the order exists"
    if row.fingerprint != digest:
        raise OrderConflict(order_no=request.order_no)
    return load_purchase(row.receipt, status=row.status, refunded_fen=int(row.refunded_fen))


@handlers.register(authorize=_check, claim=_claim, batchable=True)
def commit_purchase(command: CommitPurchase, work: Work) -> PurchaseReceipt:
    request, conn, deps = command.purchase, work.connection, work.deps
    store, purchase_id = work.memo[_CLAIMED]
    member = resolve_member(
        conn, deps, work.alliance_id, request.member, merchant_id=store.merchant_id, now=work.now,
        use_code=True, writes=work.writes,
    )  # fmt: skip
    # The ledger's keys derive from the purchase id just claimed: its entries are claimed together.
    ledger = work.deps.ledger.for_command(work, fresh_keys=True)
    balance = ledger.lock_points(member.member_id) or 0
    q = quote_purchase(conn, deps, work.alliance_id, store, member, request, balance, work.now, work.memo)
    if request.preview_token and request.preview_token != q.token:
        raise PreviewStale()
    require_coupon_stacking(q.pricing.coupon, request.points_to_use or 0)
    require_points_allowed(q.pricing, request.points_to_use or 0)
    if request.wallet_fen:
        require_wallet_allowed(q.pricing, request.wallet_fen, balance_fen=q.wallet_balance.total_fen)
    return record_purchase(
        work,
        ledger,
        q,
        purchase_id=purchase_id,
        order_no=request.order_no,
        source="counter",
        items=request.items,
    )


def quote_purchase(  # noqa: PLR0917 - the inputs of one quote, as the preview and the commit have them
    conn: Connection,
    deps: CounterDeps,
    alliance_id: str,
    store: StoreRef,
    member: MemberRef,
    request: PurchaseInput,
    balance: int,
    now: datetime,
    memo: dict[str, Any],
    *,
    preview: bool = False,
) -> quoting.Quote:
    """The purchase happening now: what the preview shows and the commit records."""
    choices = quoting.Choices(request.coupon_id, request.wallet_fen, preview)
    ports = replace(deps.ports, merchants=deps.merchants(memo))
    return quoting.quote(
        conn, ports, alliance_id=alliance_id, store=store, member=member,
        amount_fen=request.amount_fen, lines=request.lines, requested_points=request.points_to_use,
        balance=balance, occurred_at=now, now=now, loyalty=deps.loyalty.get(conn, alliance_id, memo),
        choices=choices,
    )  # fmt: skip


def record_purchase(
    work: Work, ledger: Ledger, q: quoting.Quote, *, purchase_id: str, order_no: str, source: str,
    items: int | None = None,
) -> PurchaseReceipt:  # fmt: skip
    """Write the ledger moves and complete the claimed purchase row; the receipt."""
    deps: CounterDeps = work.deps
    limited = deps.is_limited(work.connection, work.alliance_id, q.store.merchant_id, work.memo)
    recorded = quoting.record(
        ledger, deps.ports, q, purchase_id=purchase_id, alliance_id=work.alliance_id, limited=limited
    )
    receipt = quoting.receipt(
        q, purchase_id=purchase_id, order_no=order_no, source=source, recorded_at=work.now,
        tier_change=recorded.tier_change,
    )  # fmt: skip
    p = q.pricing
    CounterRepository(work.connection, work.alliance_id).finish_purchase(
        work.writes, purchase_id, member_id=q.member.member_id, status="committed", bill_fen=p.bill_fen,
        discount_fen=p.discount_fen, payable_fen=p.payable_fen, points_used=p.points_used,
        points_value_fen=p.points_value_fen, cash_fen=p.cash_fen, points_earned=q.earn.points,
        growth=q.earn.growth, receipt=dump_purchase(receipt), occurred_at=q.occurred_at,
        coupon_id=p.coupon.coupon_id if p.coupon else None, coupon_fen=p.coupon_fen,
        wallet_principal_fen=p.wallet.principal_fen, wallet_bonus_fen=p.wallet.bonus_fen,
        **recorded.entry_ids,
    )  # fmt: skip
    work.emit(
        "counter.purchase_recorded", purchase_id, source=source, merchant_id=q.store.merchant_id,
        store_id=q.store.store_id, member_id=q.member.member_id, payable_fen=p.payable_fen,
        cash_fen=p.cash_fen, points_used=p.points_used, points_earned=q.earn.points,
        occurred_at=q.occurred_at.isoformat(), coupon_id=p.coupon.coupon_id if p.coupon else None,
        coupon_fen=p.coupon_fen, wallet_fen=p.wallet_fen, items=items,
    )  # fmt: skip
    work.audit(
        "counter.backfill_purchase" if source == "backfill" else "counter.purchase", object_type="purchase",
        object_id=order_no, merchant_id=q.store.merchant_id, store_id=q.store.store_id,
        details={"amount_fen": p.payable_fen, "points_used": p.points_used, "points": q.earn.points},
    )  # fmt: skip
    if recorded.tier_change is not None:
        change = recorded.tier_change
        work.emit(
            "counter.tier_changed", purchase_id, member_id=q.member.member_id, from_tier=change.from_tier,
            to_tier=change.to_tier, reason=change.reason,
        )  # fmt: skip
    return receipt


def replay_of(conn: Connection, alliance_id: str, merchant_id: str, order_no: str) -> PurchaseReceipt | None:
    """A recorded purchase's receipt with its current status (None while only claimed)."""
    row = CounterRepository(conn, alliance_id).purchase_by_order(merchant_id, order_no)
    if row is None or row.status == "claimed":
        return None
    return load_purchase(row.receipt, status=row.status, refunded_fen=int(row.refunded_fen))
