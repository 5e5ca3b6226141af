"""Tier-only mall items and lotteries read loyalty's tier in effect (the wired adapter, not a null one)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.rewards.mall_world import ALLIANCE, BAKERY, OPERATOR, make_world, member

from guildcard.adapters.rewards_ports import TierFromLoyalty
from guildcard.loyalty.tier_queries import members_in_tier
from guildcard.rewards.domain.lottery import Prize, PrizeKind
from guildcard.rewards.domain.lottery_errors import LotteryNotEligible
from guildcard.rewards.domain.mall import Delivery, ItemKind, OrderState
from guildcard.rewards.domain.mall_errors import ItemNotVisible
from guildcard.rewards.handlers.lottery import CreateLotteryCampaign, DrawLottery
from guildcard.rewards.handlers.mall import CreateMallItem, PlaceMallOrder
from guildcard.rewards.queries.mall import MallQueries

GOLD, PLAIN = "mem_gold", "mem_plain"
SCHEME = {
    "tiers": [
        {"code": "member", "name": "普通会员", "rank": 0, "threshold": 0},
        {"code": "gold", "name": "金卡", "rank": 1, "threshold": 3000},
    ],
    "rules": {},
}


@pytest.fixture
def world(database):
    w = make_world(database)
    for m in (GOLD, PLAIN):
        w.give_points(m, 2_000)
    tiers = w.container.tiers
    tiers.design(alliance_id=ALLIANCE, scheme=SCHEME, actor_id="op_admin", idempotency_key="scheme")
    tiers.set_floor(
        alliance_id=ALLIANCE, member_id=GOLD, tier="gold", ends_at=w.clock.now() + timedelta(days=90),
        reason="VIP", actor_id="op_admin", idempotency_key="floor",
    )  # fmt: skip
    return w


def test_the_adapter_reads_the_tier_in_effect(world):
    tier_of = TierFromLoyalty(world.clock)
    found = world.read(lambda c: (tier_of(c, ALLIANCE, GOLD), tier_of(c, ALLIANCE, PLAIN)))
    assert found == ("gold", "member")


def test_a_gold_only_item_is_listed_and_sold_to_gold_members_only(world):
    item = world.run(OPERATOR, CreateMallItem(
        supplier_merchant_id=BAKERY, kind=ItemKind.GOODS, title="金卡专享蛋糕", points=500,
        purchase_price_fen=300, delivery=Delivery.PICKUP, stock=5, tiers=frozenset({"gold"}),
    ))  # fmt: skip
    now = world.clock.now()
    listed = world.read(lambda c: [
        [i.id for i in MallQueries(c, ALLIANCE).catalogue(tier=tier, now=now)] for tier in ("gold", "member")
    ])  # fmt: skip
    assert listed == [[item.id], []]
    order = world.run(member(GOLD), PlaceMallOrder(item_id=item.id, idempotency_key="g1"))
    assert order.state is OrderState.HELD
    with pytest.raises(ItemNotVisible):
        world.run(member(PLAIN), PlaceMallOrder(item_id=item.id, idempotency_key="p1"))
    assert world.balance(PLAIN).available == 2_000


def test_a_gold_lottery_lets_gold_members_draw_and_refuses_the_others(world):
    campaign = world.run(OPERATOR, CreateLotteryCampaign(
        name="金卡抽奖", starts_at=world.clock.now() + timedelta(minutes=1),
        ends_at=world.clock.now() + timedelta(days=1), tiers=("gold",), free_per_day=1,
        prizes=(Prize("p1", "10 积分", PrizeKind.POINTS, weight=1, points=10),),
    ))  # fmt: skip
    world.clock.advance(timedelta(minutes=2))
    drawn = world.run(member(GOLD), DrawLottery(campaign_id=campaign.id, idempotency_key="d1"))
    assert drawn.points_won == 10
    with pytest.raises(LotteryNotEligible):
        world.run(member(PLAIN), DrawLottery(campaign_id=campaign.id, idempotency_key="d2"))


def test_a_tier_s_members_are_those_whose_tier_in_effect_it_is(world):
    everyone = [GOLD, PLAIN, "mem_new"]  # the new member has no tier row: the base tier
    now = world.clock.now()
    found = world.read(lambda c: [
        members_in_tier(c, ALLIANCE, code, everyone=everyone, at=now)
        for code in ("gold", "member", "platinum")
    ])  # fmt: skip
    assert found == [[GOLD], [PLAIN, "mem_new"], None]
    later = now + timedelta(days=91)  # the VIP floor has ended
    assert world.read(lambda c: members_in_tier(c, ALLIANCE, "gold", everyone=everyone, at=later)) == []
