"""Reward campaigns and referrals on both backends: the stamp trail, 满额送 with a budget, gifts."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from tests.integration.rewards.conftest import ADMIN, ALLIANCE, CINEMA, HOTPOT, KTV, NOW, World, member

from guildcard.rewards.domain.campaigns import CampaignKind
from guildcard.rewards.domain.coupons import ClaimWay, CouponKind
from guildcard.rewards.domain.referrals import ReferralNotAllowed, ReferralSettings
from guildcard.rewards.handlers.campaigns import GiveRegistrationGifts

_orders = count(1)
STORES = {HOTPOT: "st_hotpot_1", KTV: "st_ktv_1", CINEMA: "st_cinema_1"}


def buy(world: World, member_id: str, merchant_id: str, fen: int = 10_000, *, purchase_id: str | None = None):
    return world.campaigns.count_purchase(
        ALLIANCE, purchase_id=purchase_id or f"pur_{next(_orders)}", member_id=member_id,
        merchant_id=merchant_id, store_id=STORES[merchant_id], payable_fen=fen, occurred_at=world.clock.now(),
    )  # fmt: skip


def points(world: World, member_id: str) -> int:
    return world.ledger.queries(ALLIANCE).balance(member_id).available


def test_a_stamp_trail_completed_across_three_trades(world: World):
    trail = world.campaigns.create(
        ADMIN, idempotency_key="trail", name="跨业态打卡", kind=CampaignKind.STAMP_TRAIL, points=300,
        stamps_needed=3, ends_at=NOW + timedelta(days=30),
    )  # fmt: skip
    assert buy(world, "mem_lily", HOTPOT) == []
    assert buy(world, "mem_lily", HOTPOT) == []  # the same trade stamps once
    assert buy(world, "mem_lily", KTV) == []
    card = world.campaigns.stamp_cards(alliance_id=ALLIANCE, member_id="mem_lily")
    assert [(c.campaign_id, stamps, done) for c, stamps, done in card] == [
        (trail.campaign_id, ["catering", "ktv"], False)
    ]
    [reward] = buy(world, "mem_lily", CINEMA, purchase_id="pur_cinema")
    assert (reward.points, reward.period) == (300, "once")
    assert buy(world, "mem_lily", CINEMA, purchase_id="pur_cinema") == []  # the event heard twice
    assert points(world, "mem_lily") == 300
    assert world.campaigns.stamp_cards(alliance_id=ALLIANCE, member_id="mem_lily")[0][2] is True
    assert world.ledger.verify(ALLIANCE) == {ALLIANCE: []}


def test_a_spend_threshold_gift_stops_when_its_budget_runs_out(world: World):
    campaign = world.campaigns.create(
        ADMIN, idempotency_key="manezeng", name="满300送积分", kind=CampaignKind.SPEND_THRESHOLD, points=100,
        threshold_fen=30_000, budget_points=250, ends_at=NOW + timedelta(days=7),
    )  # fmt: skip
    assert buy(world, "mem_a", HOTPOT, 20_000) == []
    assert [r.points for r in buy(world, "mem_a", KTV, 10_000)] == [100]  # across merchants: 300 reached
    assert [r.points for r in buy(world, "mem_b", CINEMA, 30_000)] == [100]
    [out] = buy(world, "mem_c", CINEMA, 30_000)
    assert (out.points, out.budget_out) == (0, True)
    after = world.campaigns.campaign(alliance_id=ALLIANCE, campaign_id=campaign.campaign_id)
    assert (after.given_points, after.budget_left) == (200, 50)


def test_a_registration_gift_comes_once(world: World):
    template = world.coupons.create_template(
        ADMIN, idempotency_key="welcome", name="新人券", kind=CouponKind.VOUCHER, value_fen=1_000,
        valid_days=30, ways=[ClaimWay.GIFT],
    )  # fmt: skip
    world.campaigns.create(
        ADMIN, idempotency_key="reg", name="注册礼", kind=CampaignKind.REGISTRATION, points=50,
        coupon_template_id=template.template_id,
    )  # fmt: skip
    system = ADMIN
    first = world.campaigns.bus.execute(system, GiveRegistrationGifts(member_id="mem_new")).value
    again = world.campaigns.bus.execute(system, GiveRegistrationGifts(member_id="mem_new")).value
    assert [(r.points, r.coupon_id is not None) for r in first] == [(50, True)]
    assert again == []
    assert points(world, "mem_new") == 50
    assert len(world.coupons.my_coupons(alliance_id=ALLIANCE, member_id="mem_new")) == 1


def test_a_referral_is_rewarded_after_the_refund_window_and_clawed_back_after_a_refund(world: World):
    world.campaigns.set_referral_settings(
        ADMIN,
        ReferralSettings(enabled=True, inviter_points=200, invitee_points=100, hold_days=7),
        idempotency_key="s",
    )
    code = world.campaigns.invitation(member("mem_lily"))
    assert world.campaigns.invitation(member("mem_lily")) == code  # the same link every time
    for invitee in ("mem_tom", "mem_ann"):
        world.ports.registered[invitee] = NOW - timedelta(minutes=5)
        world.campaigns.bind(member(invitee), invitee_id=invitee, code=code)
    with pytest.raises(ReferralNotAllowed):
        world.campaigns.bind(member("mem_tom"), invitee_id="mem_tom", code=code)  # one inviter per member
    with pytest.raises(ReferralNotAllowed):
        world.campaigns.bind(member("mem_old"), invitee_id="mem_old", code=code)  # registered long ago
    buy(world, "mem_tom", HOTPOT, purchase_id="pur_tom")
    buy(world, "mem_ann", KTV, purchase_id="pur_ann")
    assert world.campaigns.release_referrals(ALLIANCE) == 0  # still inside the refund window
    assert world.campaigns.referral(alliance_id=ALLIANCE, invitee_id="mem_tom").state == "pending"
    world.campaigns.bus.execute(ADMIN, _refund("pur_ann"))  # Ann's purchase refunded before release
    world.clock.advance(timedelta(days=8))
    assert world.campaigns.release_referrals(ALLIANCE) == 1
    assert (points(world, "mem_lily"), points(world, "mem_tom"), points(world, "mem_ann")) == (200, 100, 0)
    assert world.campaigns.referral(alliance_id=ALLIANCE, invitee_id="mem_ann").state == "clawed_back"
    world.campaigns.bus.execute(ADMIN, _refund("pur_tom"))  # refunded after the reward: clawed back
    assert (points(world, "mem_lily"), points(world, "mem_tom")) == (0, 0)
    assert world.campaigns.referral(alliance_id=ALLIANCE, invitee_id="mem_tom").state == "clawed_back"
    assert world.ledger.verify(ALLIANCE) == {ALLIANCE: []}


def test_an_inviter_binding_a_burst_of_invitees_is_flagged_for_review(world: World):
    world.campaigns.set_referral_settings(
        ADMIN, ReferralSettings(enabled=True, inviter_points=200, burst_count=3), idempotency_key="s"
    )
    code = world.campaigns.invitation(member("mem_ring"))
    states = []
    for n in range(5):
        invitee = f"mem_sock{n}"
        world.ports.registered[invitee] = NOW
        states.append(world.campaigns.bind(member(invitee), invitee_id=invitee, code=code).state)
    assert states == ["bound", "bound", "bound", "flagged", "flagged"]
    assert [r.flags for r in world.campaigns.flagged(alliance_id=ALLIANCE)] == [("burst",), ("burst",)]
    cleared = world.campaigns.review(ADMIN, invitee_id="mem_sock3", approve=True, idempotency_key="r")
    assert cleared.state == "bound"


def _refund(purchase_id: str):
    from guildcard.rewards.handlers.campaigns import CountRefund  # noqa: PLC0415

    return CountRefund(purchase_id=purchase_id, refund_id=f"ref_{purchase_id}")
