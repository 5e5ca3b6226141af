"""The counter service: preview, commit, refund, backfill, manual adjustments.

Each write is one unit of work (one transaction) in which the counter's rows and the
ledger's entries are written together; only the unit of work commits. Writes are
idempotent on natural keys: (merchant, order number) for purchases, (merchant, refund
number) for refunds, (merchant, receipt number) for backfills, and an idempotency key for
adjustments. A replay returns the first receipt with ``replayed=True``.

Raises: ``StoreNotFound``, ``CounterForbidden``, ``MerchantSuspended``, ``MemberCodeInvalid``,
``MemberNotFound``, ``PhoneLookupRefused``, ``MemberRequired``, ``InvalidAmount``,
``InvalidCategoryLines``, ``PointsExceedBalance``, ``PointsExceedCap``, ``PointsNotWholeStep``,
``PreviewStale``, ``OrderConflict`` (commit); ``PurchaseNotFound``, ``RefundExceedsPaid``,
``IdempotencyConflict``, ``ledger.NegativeLimitExceeded`` (refund); ``BackfillTooOld``,
``BackfillInFuture``, ``DuplicateOrder``, ``BackfillNotFound``, ``BackfillNotPending`` (backfill);
``ReasonRequired``, ``InvalidAdjustment``, ``ledger.InsufficientPoints`` (adjust).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

from guildcard.counter import access, adjusting, backfilling, refunding, settle
from guildcard.counter.commands import (
    AdjustmentInput,
    BackfillInput,
    MemberIdentity,
    PurchaseInput,
    RefundInput,
    Written,
)
from guildcard.counter.domain.amounts import check_bill, check_category_lines
from guildcard.counter.domain.errors import MemberRequired, OrderConflict, PreviewStale, PurchaseNotFound
from guildcard.counter.domain.pricing import require_points_allowed
from guildcard.counter.ports import CounterPorts, MemberRef, StoreRef
from guildcard.counter.storage.repository import CounterRepository
from guildcard.db.engine import Database
from guildcard.db.uow import SqlUnitOfWork, retrying
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.ledger import Ledger, chart
from guildcard.ledger.domain.policy import LedgerSettings
from guildcard.ledger.settings_store import load_settings
from guildcard.pipeline.group import GroupCommitter

T = TypeVar("T")


class CounterService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        ports: CounterPorts,
        *,
        committer: GroupCommitter | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.ports = ports
        self.committer = committer
        self._ledger_settings: dict[str, LedgerSettings] = {}

    # --- plumbing ------------------------------------------------------------------------------

    def write(self, work: Callable[[Connection], T], *, batchable: bool = False) -> T:
        """Run ``work`` in one committed transaction (grouped with others when a committer is set)."""
        if batchable and self.committer is not None:
            return self.committer.submit(work)

        def attempt() -> T:
            with SqlUnitOfWork(self.database) as uow:
                result = work(uow.connection)
                uow.commit()
                return result

        return retrying(attempt)

    def ledger(self, conn: Connection, alliance_id: str) -> Ledger:
        settings = self._ledger_settings.get(alliance_id)
        if settings is None:
            settings = self._ledger_settings[alliance_id] = load_settings(conn, alliance_id)
        return Ledger(conn, alliance_id=alliance_id, clock=self.clock, settings=settings)

    def resolve_member(
        self, alliance_id: str, who: MemberIdentity, *, merchant_id: str, consume_in: Connection | None = None
    ) -> MemberRef:
        """The member behind a code or a consented phone; ``consume_in`` uses the code up there."""
        if bool(who.member_code) == bool(who.phone):
            raise MemberRequired(field="member_code")
        members = self.ports.members
        if who.member_code:
            now = self.clock.now()
            if consume_in is not None:
                return members.redeem_member_code(
                    consume_in, alliance_id, who.member_code, now, merchant_id=merchant_id
                )
            return members.peek_member_code(alliance_id, who.member_code, now, merchant_id=merchant_id)
        assert who.phone is not None
        return members.lookup_by_phone_for_counter(alliance_id, who.phone, merchant_id=merchant_id)

    def open_store(self, actor: Actor, store_id: str) -> StoreRef:
        store = access.store_for(actor, store_id, self.ports.merchants)
        self.ports.merchants.require_active(actor.alliance_id, store.merchant_id)
        return store

    # --- preview and commit -------------------------------------------------------------------

    def preview(self, actor: Actor, request: PurchaseInput) -> dict[str, Any]:
        """What the purchase would do; no side effects (the member code is not used up)."""
        store = self.open_store(actor, request.store_id)
        _check_input(request)
        member = self.resolve_member(actor.alliance_id, request.member, merchant_id=store.merchant_id)
        with self.database.read() as conn:
            ledger = self.ledger(conn, actor.alliance_id)
            balance = ledger.store.balance(chart.member_points(member.member_id))
            q = self._quote(conn, actor, store, member, request=request, balance=balance or 0)
        body = settle.receipt(
            q, purchase_id="", order_no=request.order_no, source="counter", recorded_at=q.occurred_at
        )
        for key in ("purchase_id", "status", "recorded_at"):
            body.pop(key)
        redeem = q.pricing.redeem
        return body | {
            "balance": q.balance,
            "redeem": {
                "points": redeem.points, "fen": redeem.fen, "max_points": redeem.max_points,
                "reasons": [
                    {"code": r.code, "label_zh": r.label_zh, "label_en": r.label_en} for r in redeem.reasons
                ],
            },
            "preview_token": q.token,
        }  # fmt: skip

    def commit(self, actor: Actor, request: PurchaseInput) -> Written:
        """Record the purchase: spend, award, growth and the purchase row in one transaction."""
        store = self.open_store(actor, request.store_id)
        _check_input(request)
        if request.points_to_use is None:
            raise InvalidInput("Say how many points pay (0 for none).", field="points_to_use")
        digest = fingerprint(request.identity())

        def work(conn: Connection) -> Written:
            repo = CounterRepository(conn, actor.alliance_id)
            purchase_id, now = new_id("pur"), self.clock.now()
            claimed = repo.claim_purchase(
                purchase_id=purchase_id, merchant_id=store.merchant_id, store_id=store.store_id,
                order_no=request.order_no, source="counter", fingerprint=digest, occurred_at=now,
                recorded_at=now, actor_id=actor.id,
            )  # fmt: skip
            if not claimed:
                return _replay(repo, store.merchant_id, request.order_no, digest)
            member = self.resolve_member(
                actor.alliance_id, request.member, merchant_id=store.merchant_id, consume_in=conn
            )
            ledger = self.ledger(conn, actor.alliance_id)
            balance = ledger.store.lock_balance(chart.member_points(member.member_id)) or 0
            q = self._quote(conn, actor, store, member, request=request, balance=balance)
            if request.preview_token and request.preview_token != q.token:
                raise PreviewStale()
            require_points_allowed(q.pricing, request.points_to_use or 0)
            body = self.record(
                conn,
                ledger,
                q,
                purchase_id=purchase_id,
                order_no=request.order_no,
                source="counter",
                actor=actor,
            )
            return Written(body)

        return self.write(work, batchable=True)

    def _quote(
        self,
        conn: Connection,
        actor: Actor,
        store: StoreRef,
        member: MemberRef,
        *,
        request: PurchaseInput,
        balance: int,
    ) -> settle.Quote:
        now = self.clock.now()
        return settle.quote(
            conn, self.ports, alliance_id=actor.alliance_id, store=store, member=member,
            amount_fen=request.amount_fen, lines=request.lines, requested_points=request.points_to_use,
            balance=balance, occurred_at=now, now=now,
            settings=settle.loyalty_settings(conn, actor.alliance_id),
        )  # fmt: skip

    def record(
        self,
        conn: Connection,
        ledger: Ledger,
        q: settle.Quote,
        *,
        purchase_id: str,
        order_no: str,
        source: str,
        actor: Actor,
    ) -> dict[str, Any]:
        """Write the ledger moves and complete the claimed purchase row; the receipt."""
        ids = settle.record(ledger, self.ports, q, purchase_id=purchase_id, alliance_id=actor.alliance_id)
        body = settle.receipt(
            q, purchase_id=purchase_id, order_no=order_no, source=source, recorded_at=self.clock.now()
        )
        p = q.pricing
        CounterRepository(conn, actor.alliance_id).finish_purchase(
            purchase_id, member_id=q.member.member_id, status="committed", bill_fen=p.bill_fen,
            discount_fen=p.discount_fen, payable_fen=p.payable_fen, points_used=p.points_used,
            points_value_fen=p.points_value_fen, cash_fen=p.cash_fen, points_earned=q.earn.points,
            growth=q.earn.growth, receipt=body, occurred_at=q.occurred_at, **ids,
        )  # fmt: skip
        return body

    # --- after the purchase ---------------------------------------------------------------------

    def refund(self, actor: Actor, request: RefundInput) -> Written:
        result: Written = refunding.refund(self, actor, request)
        return result

    def backfill(self, actor: Actor, request: BackfillInput) -> Written:
        result: Written = backfilling.request_backfill(self, actor, request)
        return result

    def decide_backfill(
        self, actor: Actor, backfill_id: str, *, approve: bool, note: str | None = None
    ) -> Written:
        result: Written = backfilling.decide_backfill(self, actor, backfill_id, approve=approve, note=note)
        return result

    def adjust(self, actor: Actor, request: AdjustmentInput, *, idempotency_key: str) -> Written:
        result: Written = adjusting.adjust(self, actor, request, idempotency_key=idempotency_key)
        return result

    # --- reads -------------------------------------------------------------------------------

    def purchase(self, actor: Actor, *, store_id: str, order_no: str) -> dict[str, Any]:
        store = access.store_for(actor, store_id, self.ports.merchants)
        with self.database.read() as conn:
            row = CounterRepository(conn, actor.alliance_id).purchase_by_order(store.merchant_id, order_no)
        if row is None or row.status == "claimed":
            raise PurchaseNotFound(order_no=order_no)
        return dict(row.receipt) | {"status": row.status, "refunded_fen": int(row.refunded_fen)}


def _check_input(request: PurchaseInput) -> None:
    check_bill(request.amount_fen)
    check_category_lines(request.lines, bill_fen=request.amount_fen)
    if not request.order_no.strip():
        raise InvalidInput("An order number is required.", field="order_no")
    if request.points_to_use is not None and request.points_to_use < 0:
        raise InvalidInput("Points to use cannot be negative.", field="points_to_use")


def _replay(repo: CounterRepository, merchant_id: str, order_no: str, digest: str) -> Written:
    row = repo.purchase_by_order(merchant_id, order_no)
    assert row is not None, "a claim failed, so the order exists"
    if row.fingerprint != digest:
        raise OrderConflict(order_no=order_no)
    return Written(dict(row.receipt) | {"status": row.status}, replayed=True)
