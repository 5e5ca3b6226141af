"""Activation codes (卡密): one use each, voidable, expiring; 20 simultaneous activations of one
code on PostgreSQL activate it once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.support.race import race

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.ledger.handlers import handlers as ledger_handlers
from guildcard.loyalty.card_service import CardService
from guildcard.loyalty.domain.errors import CardCodeNotUsable, CardsNotAllowed
from guildcard.loyalty.handlers import handlers as loyalty_handlers
from guildcard.loyalty.tier_handlers import LoyaltyDeps
from guildcard.loyalty.tier_service import TierService
from guildcard.pipeline import CommandBus

ALLIANCE = "al_chengdu"
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
OPERATOR = Actor(ActorKind.OPERATOR, "opr_wang", ALLIANCE, role="admin")
DESIGN = {
    "tiers": [
        {"code": "member", "name": "普通会员", "rank": 0, "threshold": 0},
        {"code": "gold", "name": "金卡", "rank": 1, "threshold": 5000, "colour": "#d4a017"},
    ]
}


def member(member_id: str) -> Actor:
    return Actor(ActorKind.MEMBER, member_id, ALLIANCE)


def services(database, clock):
    bus = CommandBus(database, clock, [loyalty_handlers, ledger_handlers])
    bus.provide("loyalty", LoyaltyDeps())
    tiers = TierService(database, clock, bus=bus)
    tiers.design(alliance_id=ALLIANCE, scheme=DESIGN, actor_id=OPERATOR.id, idempotency_key="d1")
    cards = CardService(database, clock, bus=bus)
    plan = cards.create_plan(
        OPERATOR, name="金卡月卡", price_fen=0, period="month", tier_code="gold", idempotency_key="p1"
    ).value
    return tiers, cards, plan


def test_a_code_activates_once_and_a_voided_or_expired_one_not_at_all(database):
    clock = FixedClock(NOW)
    tiers, cards, plan = services(database, clock)
    batch = cards.generate_codes(
        OPERATOR, plan_id=plan.plan_id, size=3, expires_at=NOW + timedelta(days=30), idempotency_key="b1"
    ).value
    first, second, third = batch.codes
    card = cards.activate(
        member("mem_li"), member_id="mem_li", code=first.lower(), idempotency_key="a1"
    ).value
    assert (card.tier_code, card.ends_at) == ("gold", NOW + timedelta(days=30))
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_li").name == "金卡"
    with pytest.raises(CardCodeNotUsable):
        cards.activate(member("mem_zhao"), member_id="mem_zhao", code=first, idempotency_key="a2")
    assert cards.void_codes(OPERATOR, batch_id=batch.batch_id, code=second, idempotency_key="v1").value == 1
    with pytest.raises(CardCodeNotUsable):
        cards.activate(member("mem_zhao"), member_id="mem_zhao", code=second, idempotency_key="a3")
    clock.advance(timedelta(days=31))
    with pytest.raises(CardCodeNotUsable):
        cards.activate(member("mem_zhao"), member_id="mem_zhao", code=third, idempotency_key="a4")
    exported = cards.export_codes(alliance_id=ALLIANCE, batch_id=batch.batch_id).splitlines()
    assert exported[0] == "code,state,expires_at"
    assert sorted(line.split(",")[1] for line in exported[1:]) == ["open", "used", "void"]


def test_a_member_activates_only_for_themself(database):
    _, cards, plan = services(database, FixedClock(NOW))
    batch = cards.generate_codes(
        OPERATOR, plan_id=plan.plan_id, size=1, expires_at=NOW + timedelta(days=30), idempotency_key="b1"
    ).value
    with pytest.raises(CardsNotAllowed):
        cards.activate(member("mem_li"), member_id="mem_zhao", code=batch.codes[0], idempotency_key="a1")


def test_twenty_simultaneous_activations_of_one_code_activate_once(pg_database):
    _, cards, plan = services(pg_database, FixedClock(NOW))
    code = cards.generate_codes(
        OPERATOR, plan_id=plan.plan_id, size=1, expires_at=NOW + timedelta(days=30), idempotency_key="b1"
    ).value.codes[0]
    done = race(
        20,
        lambda i: cards.activate(
            member(f"mem_{i}"), member_id=f"mem_{i}", code=code, idempotency_key=f"a{i}"
        ),
        CardCodeNotUsable,
    )
    assert done.errors == []
    assert (len(done.won), len(done.lost)) == (1, 19)
    won = [f"mem_{i}" for i in done.won]
    assert len(cards.cards_of(alliance_id=ALLIANCE, member_id=won[0])) == 1
