"""Coupons at the counter (核销), with the rewards context's real coupon desk, on both backends.

The counter's other ports are the in-memory fakes of the counter's own tests; the coupons are real:
claimed through the coupon service, offered, judged, used once and given back in the counter's
transactions, their funding posted to the ledger as ``coupon_funding`` entries.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.integration.counter.conftest import ALLIANCE as COUNTER_ALLIANCE
from tests.integration.counter.conftest import CINEMA, HOTPOT, KEYS, START, staff
from tests.integration.rewards.conftest import FakePorts
from tests.support.counter_fakes import InMemoryPorts

from guildcard.adapters.coupon_desk import RewardsCouponDesk
from guildcard.counter.commands import MemberIdentity, PurchaseInput, RefundInput
from guildcard.counter.domain.errors import CouponNotUsable
from guildcard.counter.ports import CounterTerms, MemberRef
from guildcard.counter.service import CounterService
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import ExpiryPolicy, LedgerService, chart
from guildcard.ledger.handlers import handlers as ledger_handlers
from guildcard.pipeline import CommandBus
from guildcard.rewards.coupon_service import CouponService
from guildcard.rewards.domain.coupons import CouponKind, CouponState, Place
from guildcard.rewards.handlers import handlers as rewards_handlers
from guildcard.rewards.handlers.coupons import CouponDeps
from guildcard.rewards.ports import RewardsPorts

A = COUNTER_ALLIANCE
KTV = "mer_ktv"
ADMIN = Actor(ActorKind.OPERATOR, "op_admin", A, role="admin")
HOTPOT_CASHIER, CINEMA_CASHIER, KTV_CASHIER = (
    staff(HOTPOT, "st_hotpot_1"),
    staff(CINEMA, "st_cinema_1"),
    staff(KTV, "st_ktv_1"),
)
LILY = Actor(ActorKind.MEMBER, "mem_lily", A)
PLACES = {
    "st_hotpot_1": Place("st_hotpot_1", HOTPOT, "catering"),
    "st_cinema_1": Place("st_cinema_1", CINEMA, "entertainment"),
    "st_ktv_1": Place("st_ktv_1", KTV, "ktv"),
}


class Places(FakePorts):
    def place(self, conn, alliance_id, store_id):
        return PLACES[store_id]


class Till:
    def __init__(self, database) -> None:
        self.clock = FixedClock(START)
        self.ledger = LedgerService(database, clock=self.clock, keys=KEYS)
        self.ledger.open_alliance_ledger(A, expiry=ExpiryPolicy.rolling(30))
        fakes = InMemoryPorts()
        for merchant, stores, trade, terms in (
            (HOTPOT, ("st_hotpot_1",), "catering", CounterTerms(Decimal(1), Decimal("0.95"))),
            (CINEMA, ("st_cinema_1",), "entertainment", CounterTerms(Decimal(2))),
            (KTV, ("st_ktv_1",), "ktv", CounterTerms(Decimal(1))),
        ):
            fakes.merchants.add_merchant(A, merchant, name=merchant, terms=terms, since=START, stores=stores,
                                         trade_category=trade)  # fmt: skip
        fakes.members.add(A, MemberRef("mem_lily", "138****1234"), phone="13800001234")
        self.fakes = fakes
        places = Places()
        fakes.coupons = RewardsCouponDesk(places)  # type: ignore[assignment]
        self.counter = CounterService(database, self.clock, fakes.ports())
        bus = CommandBus(database, self.clock, [rewards_handlers, ledger_handlers])
        bus.provide("rewards", CouponDeps(ports=RewardsPorts(members=places, places=places)))
        self.coupons = CouponService(database, self.clock, bus)
        self._n = 0

    def request(
        self, cashier: Actor, order_no: str, fen: int, *, coupon_id: str | None = None, points: int = 0
    ):
        self._n += 1
        code = self.fakes.members.issue_code(
            A, "mem_lily", f"code-{self._n}", expires_at=START.replace(year=2027)
        )
        store = next(iter(cashier.store_ids))
        return PurchaseInput(
            store, order_no, fen, MemberIdentity(member_code=code), points, (), coupon_id=coupon_id
        )

    def fen(self, account: str) -> int:
        return self.ledger.queries(A).account_balance(account)


@pytest.fixture
def till(database) -> Till:
    return Till(database)


def claim(till: Till, **fields):
    issuer = fields.get("issuer_merchant_id")
    actor = ADMIN if issuer is None else staff(issuer, "st_hotpot_1", "owner")
    template = till.coupons.create_template(
        actor, idempotency_key=f"t-{fields['name']}", valid_days=30, **fields
    )
    return till.coupons.claim(LILY, template_id=template.template_id, idempotency_key=f"c-{fields['name']}")


def test_an_alliance_coupon_funded_by_marketing_is_used_at_the_cinema(till: Till):
    coupon = claim(till, name="联盟通用20元", kind=CouponKind.VOUCHER, value_fen=2_000)
    preview = till.counter.preview(CINEMA_CASHIER, till.request(CINEMA_CASHIER, "F-1", 8_000))
    assert [(o.coupon_id, o.usable, o.discount_fen) for o in preview.coupons] == [
        (coupon.coupon_id, True, 2_000)
    ]
    receipt = till.counter.commit(
        CINEMA_CASHIER, till.request(CINEMA_CASHIER, "F-1", 8_000, coupon_id=coupon.coupon_id)
    ).receipt
    assert (receipt.coupon_fen, receipt.cash_fen) == (2_000, 6_000)
    assert till.fen("platform:marketing") == 2_000  # the alliance bears it ...
    assert till.fen(chart.merchant_settlement(CINEMA)) == -2_000  # ... and owes the cinema
    assert till.ledger.verify(A) == {A: []}


def test_a_hotpot_coupon_is_refused_at_the_ktv_and_its_threshold_is_kept(till: Till):
    coupon = claim(
        till, name="满100减20", kind=CouponKind.AMOUNT_OFF, issuer_merchant_id=HOTPOT, value_fen=2_000,
        threshold_fen=10_000,
    )  # fmt: skip
    at_ktv = till.counter.preview(KTV_CASHIER, till.request(KTV_CASHIER, "K-1", 50_000))
    assert [(o.usable, o.reason) for o in at_ktv.coupons] == [(False, "rewards.coupon_other_merchant")]
    with pytest.raises(CouponNotUsable) as refused:
        till.counter.commit(KTV_CASHIER, till.request(KTV_CASHIER, "K-1", 50_000, coupon_id=coupon.coupon_id))
    assert refused.value.details["reason"] == "rewards.coupon_other_merchant"
    below = till.counter.preview(
        HOTPOT_CASHIER, till.request(HOTPOT_CASHIER, "H-1", 10_000)
    )  # 9,500 after 5 % off
    assert [(o.usable, o.reason) for o in below.coupons] == [(False, "rewards.coupon_below_threshold")]
    above = till.counter.commit(
        HOTPOT_CASHIER, till.request(HOTPOT_CASHIER, "H-2", 20_000, coupon_id=coupon.coupon_id)
    )
    assert (above.receipt.coupon_fen, above.receipt.cash_fen) == (2_000, 17_000)
    assert till.fen(chart.merchant_settlement(HOTPOT)) == 0  # its own coupon at its own store: nothing moves


def test_a_coupon_used_then_the_purchase_refunded_comes_back_and_its_funding_is_reversed(till: Till):
    coupon = claim(till, name="联盟通用30元", kind=CouponKind.VOUCHER, value_fen=3_000)
    till.counter.commit(
        CINEMA_CASHIER, till.request(CINEMA_CASHIER, "F-9", 10_000, coupon_id=coupon.coupon_id)
    )
    with pytest.raises(CouponNotUsable):  # a second till, the same coupon
        till.counter.commit(
            CINEMA_CASHIER, till.request(CINEMA_CASHIER, "F-10", 10_000, coupon_id=coupon.coupon_id)
        )
    refund = till.counter.refund(CINEMA_CASHIER, RefundInput("st_cinema_1", "F-9", "R-9", 7_000)).receipt
    assert refund.coupon_returned
    back = till.coupons.coupon(alliance_id=A, coupon_id=coupon.coupon_id)
    assert back.state is CouponState.UNUSED
    assert (till.fen("platform:marketing"), till.fen(chart.merchant_settlement(CINEMA))) == (0, 0)
    assert till.ledger.verify(A) == {A: []}
