"""Lottery prizes that are coupons or mall items are given in the draw's transaction; a virtual mall
item that is a coupon template issues a real coupon. On SQLite and PostgreSQL, the ledger clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.rewards.mall_world import (
    ALLIANCE,
    BAKERY,
    BAKERY_CASHIER,
    OPERATOR,
    SYSTEM,
    make_world,
    member,
    prize_coupon,
)

from guildcard.ledger.domain import entries as chart
from guildcard.pipeline.work import Event
from guildcard.rewards.campaign_events import RewardsListener
from guildcard.rewards.domain.coupons import CouponNotClaimable, CouponTemplateNotFound
from guildcard.rewards.domain.lottery import Outcome, Prize, PrizeKind
from guildcard.rewards.domain.lottery_errors import LotteryInvalid
from guildcard.rewards.domain.mall import Delivery, ItemKind, OrderState
from guildcard.rewards.domain.mall_errors import MallItemInvalid
from guildcard.rewards.handlers.lottery import CreateLotteryCampaign, DrawLottery, RevealLotterySeed
from guildcard.rewards.handlers.mall import MALL_MARGIN, ConfirmPickup, CreateMallItem, PlaceMallOrder
from guildcard.rewards.queries.coupons import member_coupons
from guildcard.rewards.queries.lottery import LotteryQueries
from guildcard.rewards.queries.mall import MallQueries

LILY, MING = "mem_lily", "mem_ming"


@pytest.fixture
def world(database):
    w = make_world(database)
    for m in (LILY, MING):
        w.give_points(m, 1_000)
    return w


def coupons_of(world, member_id):
    now = world.clock.now()
    return world.read(lambda c: member_coupons(c, ALLIANCE, member_id, now))


def lottery(world, *prizes):
    campaign = world.run(OPERATOR, CreateLotteryCampaign(
        name="周末抽奖", starts_at=world.clock.now() + timedelta(minutes=1),
        ends_at=world.clock.now() + timedelta(days=1), prizes=prizes, free_per_day=3,
    ))  # fmt: skip
    world.clock.advance(timedelta(minutes=2))
    return campaign


def draw(world, member_id, campaign):
    return world.run(member(member_id), DrawLottery(campaign_id=campaign.id))


def verified(world, campaign):
    world.clock.advance(timedelta(days=2))
    world.run(SYSTEM, RevealLotterySeed(campaign_id=campaign.id))
    return world.read(lambda c: LotteryQueries(c, ALLIANCE).verify(campaign.id))


def test_a_coupon_prize_issues_the_coupon_and_falls_back_when_the_coupon_is_gone(world):
    template = prize_coupon(world, total=1)
    campaign = lottery(world, Prize("p1", "电影券", PrizeKind.COUPON, weight=1, stock=3, ref=template))
    won = draw(world, LILY, campaign)
    assert won.outcome is Outcome.WON
    [coupon] = coupons_of(world, LILY)
    assert (coupon.coupon_id, coupon.template_id) == (won.issued, template)
    # The template's one coupon is gone: Ming's win cannot be given, the prize's stock goes back.
    lost = draw(world, MING, campaign)
    assert (lost.outcome, lost.prize_id, lost.issued, lost.prize_name) == (
        Outcome.UNAVAILABLE, None, None, "谢谢参与",
    )  # fmt: skip
    assert coupons_of(world, MING) == []
    stock = world.read(lambda c: LotteryQueries(c, ALLIANCE).stock(campaign.id))
    assert stock["p1"] == (2, 1)  # left, won
    report = verified(world, campaign)
    assert (report.draws, report.problems) == (2, ())
    assert world.violations() == []


def test_a_mall_item_prize_becomes_an_order_picked_up_and_paid_to_the_supplier(world):
    cake = world.run(OPERATOR, CreateMallItem(
        supplier_merchant_id=BAKERY, kind=ItemKind.GOODS, title="草莓蛋糕", points=1_200,
        purchase_price_fen=800, delivery=Delivery.PICKUP, stock=1,
    ))  # fmt: skip
    campaign = lottery(world, Prize("p1", "草莓蛋糕", PrizeKind.MALL_ITEM, weight=1, ref=cake.id))
    won = draw(world, LILY, campaign)
    assert won.outcome is Outcome.WON
    order = world.read(lambda c: MallQueries(c, ALLIANCE).member_order(LILY, won.issued))
    assert (order.member_id, order.points, order.state, len(order.pickup_code)) == (
        LILY, 0, OrderState.HELD, 8,
    )  # fmt: skip
    assert world.balance(LILY).available == 1_000  # a prize costs no points
    world.run(BAKERY_CASHIER, ConfirmPickup(pickup_code=order.pickup_code, store_id="st_bakery_1"))
    assert world.account(chart.merchant_settlement(BAKERY)) == -800  # the bakery is paid its price
    assert world.account(MALL_MARGIN) == 800  # the alliance bears the prize
    # The cake's stock is gone: the next win falls back.
    assert draw(world, MING, campaign).outcome is Outcome.UNAVAILABLE
    assert verified(world, campaign).problems == ()
    assert world.violations() == []


def test_prizes_must_name_something_that_can_be_given(world):
    with pytest.raises(CouponTemplateNotFound):
        lottery(world, Prize("p1", "券", PrizeKind.COUPON, weight=1, ref="tpl_none"))
    centre_only = prize_coupon(world, ways=frozenset({"centre"}))
    with pytest.raises(CouponNotClaimable):
        lottery(world, Prize("p1", "券", PrizeKind.COUPON, weight=1, ref=centre_only))
    parcel = world.run(OPERATOR, CreateMallItem(
        supplier_merchant_id=BAKERY, kind=ItemKind.GOODS, title="礼盒", points=100,
        purchase_price_fen=50, delivery=Delivery.SHIPPING, stock=None,
    ))  # fmt: skip
    with pytest.raises(LotteryInvalid):
        lottery(world, Prize("p1", "礼盒", PrizeKind.MALL_ITEM, weight=1, ref=parcel.id))


def test_a_virtual_coupon_item_issues_a_real_coupon(world):
    template = prize_coupon(world, name="30 元代金券")
    item = world.run(OPERATOR, CreateMallItem(
        supplier_merchant_id=None, kind=ItemKind.VOUCHER, title="30 元代金券", points=300,
        purchase_price_fen=0, delivery=Delivery.VIRTUAL, stock=10, coupon_template_id=template,
    ))  # fmt: skip
    order = world.run(member(LILY), PlaceMallOrder(item_id=item.id, idempotency_key="o1"))
    assert order.state is OrderState.DELIVERED
    [coupon] = coupons_of(world, LILY)
    assert (coupon.template_id, coupon.code) == (template, order.voucher_code)
    assert world.balance(LILY).available == 700
    assert world.account(chart.PLATFORM_MALL) == 300
    assert world.violations() == []


def test_a_coupon_item_must_be_virtual(world):
    template = prize_coupon(world)
    with pytest.raises(MallItemInvalid):
        world.run(OPERATOR, CreateMallItem(
            supplier_merchant_id=BAKERY, kind=ItemKind.VOUCHER, title="券", points=300,
            purchase_price_fen=0, delivery=Delivery.PICKUP, stock=10, coupon_template_id=template,
        ))  # fmt: skip


def purchase_event(purchase_id, member_id, payable_fen, at):
    return Event("counter.purchase_recorded", purchase_id, {
        "member_id": member_id, "merchant_id": BAKERY, "store_id": "st_bakery_1", "payable_fen": payable_fen,
        "occurred_at": at.isoformat(),
    })  # fmt: skip


def test_a_purchase_of_at_least_the_amount_earns_draws_once(world):
    campaign = world.run(OPERATOR, CreateLotteryCampaign(
        name="消费抽奖", starts_at=world.clock.now() + timedelta(minutes=1),
        ends_at=world.clock.now() + timedelta(days=1), cost_points=50, draws_per_purchase=2,
        purchase_min_fen=10_000, prizes=(Prize("p1", "5 积分", PrizeKind.POINTS, weight=1, points=5),),
    ))  # fmt: skip
    world.clock.advance(timedelta(minutes=2))
    now = world.clock.now()
    listener = RewardsListener(world.container.database, world.container.bus)
    listener(ALLIANCE, [purchase_event("pur_small", LILY, 9_999, now)])  # below ¥100: nothing
    listener(ALLIANCE, [purchase_event("pur_big", LILY, 12_000, now)])
    listener(ALLIANCE, [purchase_event("pur_big", LILY, 12_000, now)])  # the same purchase heard twice
    costs = [draw(world, LILY, campaign).cost_points for _ in range(3)]
    assert costs == [0, 0, 50]  # two earned draws, then the points price
    assert world.balance(LILY).available == 1_000 - 50 + 15
