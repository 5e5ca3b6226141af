"""The counter's façade: preview and reads, and the write commands handed to the command bus.

Each write is one command (``counter.handlers``) run by the bus in one transaction, in which
the counter's rows and the ledger's entries are written together. Writes are idempotent on
natural keys: (merchant, order number) for purchases, (merchant, refund number) for refunds,
(merchant, receipt number) for backfills, and an idempotency key for adjustments. A replay
returns the first receipt with ``replayed=True``.

Raises: ``StoreNotFound``, ``CounterForbidden``, the alliance's ``MerchantSuspended``, the
members' ``MemberCodeInvalid``, ``MemberCodeAlreadyUsed``, ``MemberNotFound``,
``LookupNotAllowed``; ``MemberRequired``, ``InvalidAmount``, ``InvalidCategoryLines``,
``PointsExceedBalance``, ``PointsExceedCap``, ``PointsNotWholeStep``, ``PreviewStale``,
``OrderConflict`` (commit); ``PurchaseNotFound``, ``RefundExceedsPaid``,
``RefundConflict``, ``RefundNeedsManager``, ``ledger.NegativeLimitExceeded`` (refund);
``RefundRequestNotFound``, ``RefundRequestNotPending``, ``RefundCashNotAllowed``,
``RefundBelowZeroNotAllowed`` (refund requests); ``BackfillTooOld``,
``BackfillInFuture``, ``DuplicateOrder``, ``BackfillNotFound``, ``BackfillNotPending``
(backfill); ``ReasonRequired``, ``InvalidAdjustment``, ``ledger.InsufficientPoints`` (adjust).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from guildcard.counter import access
from guildcard.counter import store_day as store_days
from guildcard.counter.commands import AdjustmentInput, BackfillInput, PurchaseInput, RefundInput, Written
from guildcard.counter.domain.errors import PurchaseNotFound, RefundNeedsManager, RefundRequestNotFound
from guildcard.counter.domain.receipts import (
    AdjustmentReceipt,
    BackfillReceipt,
    PurchasePreview,
    PurchaseReceipt,
    RefundReceipt,
    RefundRequestReceipt,
)
from guildcard.counter.domain.refunds import SettleAs
from guildcard.counter.handlers import (
    AdjustPoints,
    AskRefundApproval,
    CommitPurchase,
    CounterDeps,
    DecideBackfill,
    DecideRefundRequest,
    RefundPurchase,
    RequestBackfill,
    handlers,
    quoting,
    refund_requests,
)
from guildcard.counter.handlers.base import open_store, resolve_member, store_for
from guildcard.counter.handlers.purchase import check_purchase_input, quote_purchase, replay_of
from guildcard.counter.ports import CounterPorts, StoreRef
from guildcard.counter.storage.repository import CounterRepository
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock, business_date
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.ledger import chart
from guildcard.pipeline import Command, CommandBus

T = TypeVar("T")

MAX_BATCH = 500  # purchases per batch: a POS uploads its queue in pieces of this size


class CounterService:
    def __init__(
        self, database: Database, clock: Clock, ports: CounterPorts, *, bus: CommandBus | None = None
    ) -> None:
        self.database = database
        self.clock = clock
        self.deps = CounterDeps(ports)
        self.bus = bus or CommandBus(database, clock, [handlers])
        self.bus.provide("counter", self.deps)

    @property
    def ports(self) -> CounterPorts:
        return self.deps.ports

    def _run(self, actor: Actor, command: Command) -> Written[Any]:
        outcome = self.bus.execute(actor, command)
        return Written(outcome.value, replayed=outcome.replayed)

    # --- preview (a read) and commit -----------------------------------------------------------

    def preview(self, actor: Actor, request: PurchaseInput) -> PurchasePreview:
        """What the purchase would do; no side effects (the member code is not used up)."""
        check_purchase_input(request)
        now = self.clock.now()
        with self.database.read() as conn:
            store = open_store(conn, self.deps, actor, request.store_id)
            member = resolve_member(
                conn, self.deps, actor.alliance_id, request.member, merchant_id=store.merchant_id, now=now,
                use_code=False,
            )  # fmt: skip
            memo: dict[str, Any] = {}
            ledger = self.deps.ledger.for_read(conn, actor.alliance_id, now, memo)
            balance = ledger.store.balance(chart.member_points(member.member_id)) or 0
            q = quote_purchase(
                conn, self.deps, actor.alliance_id, store, member, request, balance, now, memo, preview=True
            )
        return quoting.preview(q, order_no=request.order_no)

    def commit(self, actor: Actor, request: PurchaseInput) -> Written[PurchaseReceipt]:
        """Record the purchase: spend, award, growth and the purchase row in one transaction."""
        return self._run(actor, CommitPurchase(purchase=request))

    def commit_many(
        self, actor: Actor, requests: Sequence[PurchaseInput]
    ) -> list[Written[PurchaseReceipt] | GuildCardError]:
        """Record many purchases in one transaction (queued sales from a POS), one result each.

        Each purchase is idempotent on its order number as a single commit is; one that fails
        (a bad code, a conflicting order number) records nothing and gets its error in its place.
        """
        if len(requests) > MAX_BATCH:
            raise InvalidInput(
                f"At most {MAX_BATCH} purchases per batch.", field="purchases", limit=MAX_BATCH
            )
        outcomes = self.bus.execute_many(actor, [CommitPurchase(purchase=r) for r in requests])
        return [
            o if isinstance(o, GuildCardError) else Written(o.value, replayed=o.replayed) for o in outcomes
        ]

    # --- after the purchase ---------------------------------------------------------------------

    def refund(self, actor: Actor, request: RefundInput) -> Written[RefundReceipt]:
        return self._run(actor, RefundPurchase(refund=request))

    def refund_or_ask(
        self, actor: Actor, request: RefundInput
    ) -> Written[RefundReceipt] | Written[RefundRequestReceipt]:
        """The refund, or, when a cashier's or POS key's refund would take the member below zero, a
        request the owner or a manager decides on (filed under the same refund number)."""
        try:
            return self.refund(actor, request)
        except RefundNeedsManager as needed:
            shortfall = int(needed.details["shortfall_points"])
            return self._run(actor, AskRefundApproval(refund=request, shortfall_points=shortfall))

    def decide_refund(
        self,
        actor: Actor,
        request_id: str,
        *,
        approve: bool,
        settle_as: SettleAs = SettleAs.BELOW_ZERO,
        note: str | None = None,
    ) -> Written[RefundRequestReceipt]:
        command = DecideRefundRequest(request_id=request_id, approve=approve, settle_as=settle_as, note=note)
        return self._run(actor, command)

    def refund_requests(
        self, actor: Actor, *, merchant_id: str, status: str = "pending"
    ) -> list[RefundRequestReceipt]:
        """The merchant's refund requests in ``status``, oldest first (the owner's and managers' queue)."""
        with self.database.read() as conn:
            if not actor.is_staff_of(merchant_id, "owner", "manager"):
                return []
            rows = CounterRepository(conn, actor.alliance_id).refund_requests(merchant_id, status=status)
            memo: dict[str, Any] = {}
            return [refund_requests.view(conn, self.deps, actor.alliance_id, row, memo) for row in rows]

    def refund_request(self, actor: Actor, request_id: str) -> RefundRequestReceipt:
        """One request: for the merchant's owner and managers, and for the cashier or key that asked."""
        with self.database.read() as conn:
            row = CounterRepository(conn, actor.alliance_id).refund_request(request_id)
            mine = row is not None and row.requested_by == actor.id
            if row is None or not (mine or actor.is_staff_of(row.merchant_id, "owner", "manager")):
                raise RefundRequestNotFound(request_id=request_id)
            return refund_requests.view(conn, self.deps, actor.alliance_id, row)

    def backfill(self, actor: Actor, request: BackfillInput) -> Written[BackfillReceipt]:
        return self._run(actor, RequestBackfill(backfill=request))

    def decide_backfill(
        self, actor: Actor, backfill_id: str, *, approve: bool, note: str | None = None
    ) -> Written[BackfillReceipt]:
        return self._run(actor, DecideBackfill(backfill_id=backfill_id, approve=approve, note=note))

    def adjust(
        self, actor: Actor, request: AdjustmentInput, *, idempotency_key: str
    ) -> Written[AdjustmentReceipt]:
        command = AdjustPoints(
            member_id=request.member_id, points=request.points, reason=request.reason,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        return self._run(actor, command)

    # --- reads -------------------------------------------------------------------------------

    def store_day(
        self, actor: Actor, *, store_id: str, since: datetime | None = None, mine: bool = False
    ) -> store_days.StoreDay:
        """Today's (Shanghai) purchases, backfills and refunds at the store until now, from ``since``
        (a shift start) and only the actor's own with ``mine``; whoever may work the store's counter."""
        now = self.clock.now()
        with self.database.read() as conn:
            store = store_for(conn, self.deps, actor, store_id)
            return store_days.store_day(
                conn, actor.alliance_id, store.store_id, day=business_date(now), since=since,
                until=now + timedelta(seconds=1), actor_id=actor.id if mine else None,
            )  # fmt: skip

    def open_store(self, actor: Actor, *, store_id: str) -> StoreRef:
        """The store, if ``actor`` may sell at its counter now (the merchant is not suspended)."""
        with self.database.read() as conn:
            return open_store(conn, self.deps, actor, store_id)

    def purchase(self, actor: Actor, *, store_id: str, order_no: str) -> PurchaseReceipt:
        with self.database.read() as conn:
            store = store_for(conn, self.deps, actor, store_id)
            found = replay_of(conn, actor.alliance_id, store.merchant_id, order_no)
        if found is None:
            raise PurchaseNotFound(order_no=order_no)
        access.check_purchase_store(actor, found.store_id, order_no)
        return found
