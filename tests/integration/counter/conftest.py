"""An alliance in Chengdu with a hot-pot restaurant and a cinema, a member, cashiers, a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from tests.support.counter_fakes import InMemoryPorts

from guildcard.counter.commands import MemberIdentity, PurchaseInput, RefundInput
from guildcard.counter.domain.amounts import CategoryLine
from guildcard.counter.ports import CounterTerms, MemberRef
from guildcard.counter.service import CounterService
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import AesGcmKeyStore, ExpiryPolicy, LedgerService, NegativePolicy
from guildcard.loyalty.service import LoyaltyService

ALLIANCE = "al_chengdu"
START = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # a Monday, 12:00 in Shanghai
KEYS = AesGcmKeyStore("test-data-key-0123456789abcdef0123456789")
HOTPOT, CINEMA = "mer_hotpot", "mer_cinema"


def staff(merchant_id: str, store_id: str, role: str = "cashier", alliance_id: str = ALLIANCE) -> Actor:
    return Actor(
        ActorKind.STAFF,
        f"stf_{store_id}_{role}",
        alliance_id,
        role=role,
        merchant_id=merchant_id,
        store_ids=frozenset({store_id}),
    )


OPERATOR = Actor(ActorKind.OPERATOR, "op_finance", ALLIANCE, role="finance")
HOTPOT_CASHIER = staff(HOTPOT, "st_hotpot_1")
HOTPOT_OWNER = staff(HOTPOT, "st_hotpot_1", "owner")
CINEMA_CASHIER = staff(CINEMA, "st_cinema_1")


@dataclass
class Counter:
    """The counter as a cashier sees it: scan a fresh code, type the amount and order number."""

    service: CounterService
    ledger: LedgerService
    database: Database
    loyalty: LoyaltyService
    ports: InMemoryPorts
    clock: FixedClock
    _codes = count(1)

    def code(self, member_id: str = "mem_lily") -> str:
        code = f"code-{next(self._codes)}"
        expires = self.clock.now() + timedelta(seconds=60)
        return self.ports.members.issue_code(ALLIANCE, member_id, code, expires_at=expires)

    def buy(
        self,
        cashier: Actor,
        order_no: str,
        amount_fen: int,
        *,
        points: int = 0,
        member_id: str = "mem_lily",
        lines: tuple[CategoryLine, ...] = (),
    ):
        store = next(iter(cashier.store_ids))
        request = PurchaseInput(
            store, order_no, amount_fen, MemberIdentity(member_code=self.code(member_id)), points, lines
        )
        return self.service.commit(cashier, request)

    def refund(self, cashier: Actor, order_no: str, refund_no: str, amount_fen: int):
        store = next(iter(cashier.store_ids))
        return self.service.refund(cashier, RefundInput(store, order_no, refund_no, amount_fen))

    def balance(self, member_id: str = "mem_lily"):
        return self.ledger.queries(ALLIANCE).balance(member_id)

    def settings(self, **changes) -> None:
        self.loyalty.update_settings(
            alliance_id=ALLIANCE, changes=changes, actor_id="op", idempotency_key=f"s{next(self._codes)}"
        )


def make_counter(database, *, negative: NegativePolicy) -> Counter:
    clock = FixedClock(START)
    ledger = LedgerService(database, clock=clock, keys=KEYS)
    ledger.open_alliance_ledger(ALLIANCE, expiry=ExpiryPolicy.rolling(30), negative=negative)
    ports = InMemoryPorts()
    ports.merchants.add_merchant(
        ALLIANCE,
        HOTPOT,
        name="小龙坎火锅",
        terms=CounterTerms(Decimal(1), Decimal("0.95")),
        since=START,
        stores=("st_hotpot_1", "st_hotpot_2"),
        trade_category="catering",
    )
    ports.merchants.add_merchant(
        ALLIANCE,
        CINEMA,
        name="万达影城",
        terms=CounterTerms(Decimal(2)),
        since=START,
        stores=("st_cinema_1",),
        trade_category="entertainment",
    )
    ports.members.add(ALLIANCE, MemberRef("mem_lily", "138****1234"), phone="13800001234")
    ports.members.add(ALLIANCE, MemberRef("mem_bob", "139****5678"), phone="13900005678", consent=False)
    ports.members.add(ALLIANCE, MemberRef("mem_guest", "游客 7F3A", is_member=False))
    loyalty = LoyaltyService(database, clock)
    return Counter(CounterService(database, clock, ports.ports()), ledger, database, loyalty, ports, clock)


def clean(counter: Counter) -> None:
    """Every ledger invariant holds after the story."""
    assert counter.ledger.verify(ALLIANCE) == {ALLIANCE: []}


@pytest.fixture
def counter(database) -> Counter:
    """An alliance that lets a clawback take a balance down to -200 points."""
    return make_counter(database, negative=NegativePolicy.allow_negative(200))


@pytest.fixture
def strict_counter(database) -> Counter:
    """An alliance that refuses negative balances."""
    return make_counter(database, negative=NegativePolicy())
