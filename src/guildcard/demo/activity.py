"""Plays the plan on the clock: members join, buy, pay with points, get refunds; jobs run.

Each event moves the ``FixedClock`` to its moment and calls the real services: the members
service registers (one-time code) and shows the rotating member code, the counter commits
purchases, refunds and backfills, the ledger's expiry job runs every night, and the first
month is closed by the settlement service.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from guildcard.bootstrap import Container
from guildcard.counter.commands import BackfillInput, MemberIdentity, PurchaseInput, RefundInput
from guildcard.counter.domain.pricing import member_discount_fen
from guildcard.counter.domain.receipts import PurchaseReceipt
from guildcard.demo.joining import join
from guildcard.demo.names import REGIONS
from guildcard.demo.plan import LAUNCH_DAYS, Backfill, Plan, Purchase, Refund, at_local
from guildcard.demo.setup import SeededAlliance
from guildcard.kernel.clock import FixedClock, business_date
from guildcard.kernel.errors import GuildCardError
from guildcard.ledger.domain.policy import ExpiryPolicy
from guildcard.loyalty.domain.redeem import redeem_quote
from guildcard.loyalty.domain.settings import LoyaltySettings
from guildcard.members.domain.model import ConsentKind, Gender, Profile
from guildcard.settlement.wiring import settlement_service

TERMS_VERSION = "2026-09"
EVENT_KINDS = ("join", "purchase", "refund", "backfill", "expiry", "policy", "settlement")
MIN_POINTS_TO_PAY = 100  # members bother paying with points from ¥1 up


@dataclass
class Tally:
    members: int = 0
    purchases: int = 0
    paid_with_points: int = 0
    points_used: int = 0
    points_earned: int = 0
    refunds: int = 0
    refunds_refused: int = 0
    backfills: int = 0
    backfills_approved: int = 0
    expired_points: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # error code -> how often


@dataclass
class Committed:
    store_id: str
    cashier_index: int
    merchant_index: int
    order_no: str
    payable_fen: int


class Story:
    def __init__(self, container: Container, clock: FixedClock, alliance: SeededAlliance, plan: Plan) -> None:
        self.container, self.clock, self.alliance, self.plan = container, clock, alliance, plan
        self.member_ids: dict[int, str] = {}
        self.committed: dict[int, Committed] = {}
        self.tally = Tally()
        self._orders: Counter[str] = Counter()
        self._settings: LoyaltySettings | None = None
        self.seconds: defaultdict[str, float] = defaultdict(float)  # time spent per kind of event
        self.cpu_seconds: defaultdict[str, float] = defaultdict(float)  # CPU time per kind of event

    def events(self) -> list[tuple[datetime, int, Callable[[], None]]]:
        """Every event of the story, in time order (ties keep their kind's order)."""
        plan, found = self.plan, []
        for i, m in enumerate(plan.members):
            found.append((m.joined_at, 0, self._join_event(i)))
        for i, p in enumerate(plan.purchases):
            found.append((p.at, 1, self._purchase_event(i, p)))
        for r in plan.refunds:
            found.append((r.at, 2, self._refund_event(r)))
        for b in plan.backfills:
            found.append((b.at, 3, self._backfill_event(b)))
        for day in plan.window.days[1:]:
            found.append((at_local(day, 0, 10), 4, self._expire_event(day - timedelta(days=1))))
        switch = at_local(plan.window.first + timedelta(days=LAUNCH_DAYS), 0, 5)
        found.append((switch, 5, self._end_of_launch))
        found.append((self._close_at(), 6, self._close_month))
        return sorted(found, key=lambda e: (e[0], e[1]))

    def run(
        self, events: list[tuple[datetime, int, Callable[[], None]]], on_step: Callable[[], None]
    ) -> Tally:
        for at, kind, action in events:
            self.clock.set(at)
            started, cpu = time.perf_counter(), time.process_time()
            action()
            self.seconds[EVENT_KINDS[kind]] += time.perf_counter() - started
            self.cpu_seconds[EVENT_KINDS[kind]] += time.process_time() - cpu
            on_step()
        self.clock.set(at_local(self.plan.window.last, 23, 50))
        self._expire(self.plan.window.last)
        return self.tally

    # --- members ---------------------------------------------------------------------------------

    def _join_event(self, i: int) -> Callable[[], None]:
        return lambda: self._join(i)

    def _join(self, i: int) -> None:
        m = self.plan.members[i]
        profile = Profile(m.person.name, Gender(m.person.gender), m.birthday, REGIONS[i % len(REGIONS)])
        granted = (
            (ConsentKind.SHARING, m.sharing),
            (ConsentKind.PHONE_LOOKUP, m.phone_lookup),
            (ConsentKind.MARKETING, m.marketing),
        )
        signed = join(
            self.container, self.alliance.id, phone=m.person.phone,
            client_ip=f"198.18.{i // 250}.{i % 250 + 1}",  # one phone, one address: no throttle trips
            terms_version=TERMS_VERSION, profile=profile, consents=[kind for kind, yes in granted if yes],
        )  # fmt: skip
        self.member_ids[i] = signed.member.member_id
        self.tally.members += 1

    # --- the counter ----------------------------------------------------------------------------

    def _purchase_event(self, i: int, p: Purchase) -> Callable[[], None]:
        return lambda: self._purchase(i, p)

    def _purchase(self, i: int, p: Purchase) -> None:
        merchant = self.alliance.merchants[p.merchant]
        cashier = merchant.cashiers[p.store]
        store_id = merchant.store_ids[p.store]
        member_id = self.member_ids.get(p.member)
        if member_id is None:
            return
        day, slug = business_date(p.at).strftime("%Y%m%d"), merchant.spec.slug
        self._orders[slug + day] += 1  # the till's own numbering: HOTPOT-20260912-0007
        order_no = f"{slug.upper()}-{day}-{self._orders[slug + day]:04d}"
        code = self.container.members.member_codes.show_member_code(
            alliance_id=self.alliance.id, member_id=member_id
        )
        who = MemberIdentity(member_code=code.digits)
        request = PurchaseInput(store_id, order_no, p.amount_fen, who)
        counter = self.container.counter
        try:
            points = self._points_offer(p, member_id) if p.offer_points else 0
            if points >= MIN_POINTS_TO_PAY:
                request = PurchaseInput(store_id, order_no, p.amount_fen, who, points)
            receipt = counter.commit(cashier, request).receipt
        except GuildCardError as exc:
            self.tally.skipped[exc.code] += 1
            return
        self._count(receipt)
        self.committed[i] = Committed(store_id, p.store, p.merchant, order_no, receipt.payable_fen)

    def _points_offer(self, p: Purchase, member_id: str) -> int:
        """As many points as the alliance lets pay this bill (what the counter's preview shows)."""
        balance = self.container.ledger().queries(self.alliance.id).balance(member_id).available
        if balance < MIN_POINTS_TO_PAY:
            return 0
        discount = Decimal(1) - Decimal(self.alliance.merchants[p.merchant].spec.terms[4])
        payable = p.amount_fen - member_discount_fen(p.amount_fen, discount, is_member=True)
        return redeem_quote(payable, balance, None, self._loyalty_settings()).max_points

    def _loyalty_settings(self) -> LoyaltySettings:
        if self._settings is None:
            self._settings = self.container.loyalty.get_settings(alliance_id=self.alliance.id)
        return self._settings

    def _count(self, receipt: PurchaseReceipt) -> None:
        self.tally.purchases += 1
        self.tally.points_used += receipt.points_used
        self.tally.paid_with_points += receipt.points_used > 0
        self.tally.points_earned += receipt.points_earned

    def _refund_event(self, r: Refund) -> Callable[[], None]:
        return lambda: self._refund(r)

    def _refund(self, r: Refund) -> None:
        done = self.committed.get(r.purchase)
        if done is None:
            return
        merchant = self.alliance.merchants[done.merchant_index]
        amount = max(1, round(done.payable_fen * r.share))
        request = RefundInput(done.store_id, done.order_no, f"{done.order_no}-R1", amount)
        try:
            self.container.counter.refund(merchant.cashiers[done.cashier_index], request)
        except GuildCardError as exc:  # e.g. the points were spent and the balance may not go negative
            self.tally.refunds_refused += 1
            self.tally.skipped[exc.code] += 1
            return
        self.tally.refunds += 1

    def _backfill_event(self, b: Backfill) -> Callable[[], None]:
        return lambda: self._backfill(b)

    def _backfill(self, b: Backfill) -> None:
        merchant = self.alliance.merchants[b.merchant]
        if b.member not in self.member_ids:
            return
        request = BackfillInput(
            merchant.store_ids[b.store], f"RC-{merchant.spec.slug.upper()}-{b.at:%m%d%H%M%S}", b.purchased_at,
            b.amount_fen, MemberIdentity(phone=self.plan.members[b.member].person.phone),
        )  # fmt: skip
        try:
            written = self.container.counter.backfill(merchant.cashiers[b.store], request)
            self.tally.backfills += 1
            if written.receipt.status == "needs_approval":  # the owner approves it
                self.container.counter.decide_backfill(
                    merchant.owner, written.receipt.backfill_id, approve=True, note="小票核对无误"
                )
                self.tally.backfills_approved += 1
        except GuildCardError as exc:
            self.tally.skipped[exc.code] += 1

    # --- jobs -----------------------------------------------------------------------------------

    def _expire_event(self, as_of: Any) -> Callable[[], None]:
        return lambda: self._expire(as_of)

    def _expire(self, as_of: Any) -> None:
        result = self.container.ledger().expire(self.alliance.id, as_of=as_of)
        if not result.replayed:
            self.tally.expired_points += result.points

    def _end_of_launch(self) -> None:
        """After the launch weeks points are valid until the end of next year (次年年底清零)."""
        self.container.ledger().update_policies(self.alliance.id, expiry=ExpiryPolicy.calendar(1))
        # The counter caches the ledger's policies per alliance: let the next use build a fresh one.
        del self.container.counter

    def _close_at(self) -> datetime:
        next_month = self.plan.window.next_month_start()
        return min(at_local(next_month + timedelta(days=1), 10), at_local(self.plan.window.last, 22))

    def _close_month(self) -> None:
        settlement_service(self.container).close(self.alliance.admin, self.plan.window.settled_month)
