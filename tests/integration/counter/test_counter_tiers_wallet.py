"""The counter with the loyalty context's TierDesk and WalletDesk (SQLite and PostgreSQL).

A member crosses a threshold with one purchase and the same receipt shows the new tier; the
tier's multiplier earns more on the next purchase; refunding the promoting purchase downgrades;
a top-up at the cinema pays part of a hot-pot bill, a partial refund restores the wallet parts
proportionally, and every FEN entry sums to zero with the platform."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.integration.counter.conftest import (
    ALLIANCE,
    CINEMA,
    CINEMA_CASHIER,
    HOTPOT,
    HOTPOT_CASHIER,
    clean,
    make_counter,
)

from guildcard.adapters.loyalty_desks import LoyaltyTierDesk, LoyaltyWalletDesk
from guildcard.counter.commands import MemberIdentity, PurchaseInput
from guildcard.counter.service import CounterService
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import business_date
from guildcard.ledger import NegativePolicy
from guildcard.ledger.storage.tables import postings
from guildcard.loyalty.card_service import CardService
from guildcard.loyalty.tier_service import TierService
from guildcard.loyalty.wallet_service import WalletService

OPERATOR = Actor(ActorKind.OPERATOR, "opr_wang", ALLIANCE, role="admin")
DESIGN = {
    "tiers": [
        {"code": "member", "name": "普通会员", "rank": 0, "threshold": 0},
        {"code": "silver", "name": "银卡", "rank": 1, "threshold": 300, "colour": "#a8b0bd",
         "points_multiplier": "1.5", "member_discount": "0.1"},
    ],
    "rules": {"refund_policy": "promoting_purchase"},
}  # fmt: skip


@pytest.fixture
def counter(database):
    made = make_counter(database, negative=NegativePolicy.allow_negative(10_000))
    ports = replace(made.ports.ports(), tiers=LoyaltyTierDesk(), wallet=LoyaltyWalletDesk())
    made.service = CounterService(database, made.clock, ports)
    return made


@pytest.fixture
def tiers(database, counter):
    service = TierService(database, counter.clock)
    service.design(alliance_id=ALLIANCE, scheme=DESIGN, actor_id=OPERATOR.id, idempotency_key="d1")
    return service


def test_one_purchase_crosses_the_threshold_and_its_receipt_shows_the_new_tier(counter, tiers):
    receipt = counter.buy(HOTPOT_CASHIER, "HP-1", 40_000).receipt  # ¥400 less 5 %: 380 growth
    assert receipt.tier_change is not None
    assert (receipt.tier_change.to_tier, receipt.tier_change.to_name, receipt.tier_change.reason) == (
        "silver", "银卡", "purchase",
    )  # fmt: skip
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_lily").name == "银卡"
    # Next time the tier's 10 % discount and × 1.5 apply.
    again = counter.buy(HOTPOT_CASHIER, "HP-2", 10_000).receipt
    assert again.member.tier_name == "银卡"
    assert again.payable_fen == 9_000
    assert again.points_earned == 135  # ¥90 × 1 pt/¥ × 1.5
    assert again.tier_change is None
    clean(counter)


def test_refunding_the_promoting_purchase_downgrades_on_the_refund_receipt(counter, tiers):
    counter.buy(HOTPOT_CASHIER, "HP-1", 20_000)
    counter.buy(HOTPOT_CASHIER, "HP-2", 20_000)  # this one promotes
    refund = counter.refund(HOTPOT_CASHIER, "HP-2", "R-1", 19_000).receipt
    assert refund.tier_change is not None
    assert (refund.tier_change.to_tier, refund.tier_change.reason) == ("member", "refund")
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_lily").code == "member"
    clean(counter)


def test_a_top_up_at_the_cinema_pays_at_the_hot_pot_and_a_refund_restores_it(counter, database):
    wallets = WalletService(database, counter.clock)
    package = wallets.create_package(
        OPERATOR, name="充500送50", pay_fen=50_000, bonus_fen=5_000, idempotency_key="p1"
    ).value
    wallets.top_up(CINEMA_CASHIER, member_id="mem_lily", merchant_id=CINEMA, package_id=package.package_id,
                   idempotency_key="t1")  # fmt: skip
    request = PurchaseInput(
        "st_hotpot_1", "HP-9", 60_000, MemberIdentity(member_code=counter.code()), 0, wallet_fen=55_000
    )
    preview = counter.service.preview(HOTPOT_CASHIER, request)
    assert preview.wallet_principal_balance_fen == 50_000
    receipt = counter.service.commit(HOTPOT_CASHIER, request).receipt
    assert (receipt.wallet_principal_fen, receipt.wallet_bonus_fen) == (50_000, 5_000)
    assert receipt.cash_fen == 2_000  # ¥600 less 5 % = ¥570; ¥550 from the wallet
    assert wallets.balance(alliance_id=ALLIANCE, member_id="mem_lily").total == 0
    refund = counter.refund(HOTPOT_CASHIER, "HP-9", "R-9", 28_500).receipt  # half
    assert refund.wallet_principal_fen + refund.wallet_bonus_fen > 0
    balance = wallets.balance(alliance_id=ALLIANCE, member_id="mem_lily")
    assert (balance.principal, balance.bonus) == (refund.wallet_principal_fen, refund.wallet_bonus_fen)
    with database.read() as conn:
        rows = conn.execute(
            select(postings.c.account, postings.c.amount).where(postings.c.unit == "FEN")
        ).all()
    fen: dict[str, int] = {}
    for account, amount in rows:
        fen[account] = fen.get(account, 0) + int(amount)
    assert fen[f"merchant:{CINEMA}:settlement"] == 50_000
    spent = 55_000 - refund.wallet_principal_fen - refund.wallet_bonus_fen
    assert fen[f"merchant:{HOTPOT}:settlement"] == -spent
    assert sum(fen.values()) == 0
    clean(counter)
    assert wallets.verify(alliance_id=ALLIANCE) == []


def test_a_paid_card_sold_at_the_cinema_is_used_at_the_hot_pot_until_it_expires(counter, tiers, database):
    cards = CardService(database, counter.clock)
    plan = cards.create_plan(
        OPERATOR, name="银卡年卡", price_fen=9_900, period="year", tier_code="silver", idempotency_key="c1"
    ).value
    card = cards.sell(CINEMA_CASHIER, member_id="mem_lily", merchant_id=CINEMA, plan_id=plan.plan_id,
                      idempotency_key="s1").value  # fmt: skip
    assert card.ends_at == counter.clock.now() + timedelta(days=365)
    at_hotpot = counter.buy(HOTPOT_CASHIER, "HP-1", 10_000).receipt
    assert at_hotpot.member.tier_name == "银卡"
    assert at_hotpot.payable_fen == 9_000  # the card's tier discount, though growth earned no tier
    with database.read() as conn:
        rows = conn.execute(
            select(postings.c.account, postings.c.amount).where(postings.c.unit == "FEN")
        ).all()
    assert (f"merchant:{CINEMA}:settlement", 9_900) in [(a, int(x)) for a, x in rows]
    # Renewal extends from the end; after the end the member is back to the growth tier.
    renewed = cards.sell(CINEMA_CASHIER, member_id="mem_lily", merchant_id=CINEMA, plan_id=plan.plan_id,
                         idempotency_key="s2").value  # fmt: skip
    assert renewed.ends_at == card.ends_at + timedelta(days=365)
    counter.clock.advance(timedelta(days=731))
    result = tiers.evaluate(alliance_id=ALLIANCE, as_of=business_date(counter.clock.now())).value
    assert [(c.to_tier, c.reason.value) for c in result.changes] == [("member", "card_ended")]
    clean(counter)
