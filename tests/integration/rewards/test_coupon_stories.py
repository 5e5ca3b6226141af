"""Coupon stories on both backends: claims, limits, points, gifts, transfers, bulk issue, write-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.rewards.conftest import (
    ADMIN,
    ALLIANCE,
    CINEMA,
    HOTPOT,
    KTV,
    NOW,
    PLACES,
    World,
    member,
    staff,
)

from guildcard.kernel.errors import IdempotencyConflict, PermissionDenied
from guildcard.ledger import chart
from guildcard.ledger.domain.errors import InsufficientPoints
from guildcard.rewards.domain.coupons import (
    ClaimWay,
    CouponAlreadyUsed,
    CouponKind,
    CouponLimitReached,
    CouponNotTransferable,
    CouponNotUsable,
    CouponSoldOut,
    CouponState,
    CouponTemplateInvalid,
    Funding,
    IssueAudienceUnknown,
    Reason,
)

HOTPOT_OWNER = staff(HOTPOT, "st_hotpot_1", "owner")


def hotpot_manjian(world: World, **changes: object):
    fields = {
        "name": "满100减20", "kind": CouponKind.AMOUNT_OFF, "issuer_merchant_id": HOTPOT, "value_fen": 2_000,
        "threshold_fen": 10_000, "total": 100, "per_member_limit": 1, "valid_days": 30,
    } | changes  # fmt: skip
    return world.coupons.create_template(HOTPOT_OWNER, idempotency_key=f"tpl-{fields['name']}", **fields)


def test_a_member_claims_in_the_centre_once_and_the_code_is_unique(world: World):
    template = hotpot_manjian(world)
    lily = member("mem_lily")
    first = world.coupons.claim(lily, template_id=template.template_id, idempotency_key="c1")
    again = world.coupons.claim(lily, template_id=template.template_id, idempotency_key="c1")
    assert again.coupon_id == first.coupon_id  # a replay, not a second coupon
    with pytest.raises(CouponLimitReached):
        world.coupons.claim(lily, template_id=template.template_id, idempotency_key="c2")
    mine = world.coupons.my_coupons(alliance_id=ALLIANCE, member_id="mem_lily")
    assert [c.code for c in mine] == [first.code]
    assert mine[0].valid_until == NOW + timedelta(days=30)
    centre = world.coupons.centre(alliance_id=ALLIANCE, member_id="mem_lily")
    assert [(i.template.taken, i.held, i.claimable) for i in centre] == [(1, 1, False)]
    other = hotpot_manjian(world, name="满200减50", value_fen=5_000, threshold_fen=20_000)
    with pytest.raises(IdempotencyConflict):
        world.coupons.claim(lily, template_id=other.template_id, idempotency_key="c1")


def test_the_last_coupons_go_and_then_it_is_sold_out(world: World):
    template = hotpot_manjian(world, total=2)
    for name in ("mem_a", "mem_b"):
        world.coupons.claim(member(name), template_id=template.template_id, idempotency_key=name)
    with pytest.raises(CouponSoldOut):
        world.coupons.claim(member("mem_c"), template_id=template.template_id, idempotency_key="mem_c")
    assert world.coupons.template(alliance_id=ALLIANCE, template_id=template.template_id).taken == 2


def test_a_merchant_may_not_spend_the_alliance_marketing_money_or_issue_others_coupons(world: World):
    with pytest.raises(CouponTemplateInvalid):
        hotpot_manjian(world, funding=Funding.MARKETING)
    with pytest.raises(PermissionDenied):
        world.coupons.create_template(
            staff(KTV, "st_ktv_1", "owner"), idempotency_key="x", name="券", kind=CouponKind.VOUCHER,
            issuer_merchant_id=HOTPOT, value_fen=500, valid_days=3,
        )  # fmt: skip
    with pytest.raises(CouponTemplateInvalid):
        hotpot_manjian(world, store_ids=["st_ktv_1"])  # not its own store


def test_a_coupon_bought_with_points_spends_them_through_the_ledger(world: World):
    world.ledger.award(ALLIANCE, member_id="mem_lily", issuer=chart.merchant_issued(CINEMA), amount=800,
                       idempotency_key="earn")  # fmt: skip
    template = world.coupons.create_template(
        ADMIN, idempotency_key="pts", name="联盟10元券", kind=CouponKind.VOUCHER, value_fen=1_000,
        ways=[ClaimWay.POINTS], points_price=500, valid_days=30, per_member_limit=-1,
    )  # fmt: skip
    coupon = world.coupons.buy_with_points(
        member("mem_lily"), template_id=template.template_id, idempotency_key="b1"
    )
    assert coupon.origin is ClaimWay.POINTS
    assert world.ledger.queries(ALLIANCE).balance("mem_lily").available == 300
    with pytest.raises(InsufficientPoints):
        world.coupons.buy_with_points(
            member("mem_lily"), template_id=template.template_id, idempotency_key="b2"
        )
    assert len(world.coupons.my_coupons(alliance_id=ALLIANCE, member_id="mem_lily")) == 1  # nothing half-done
    assert world.ledger.verify(ALLIANCE) == {ALLIANCE: []}


def test_a_gift_is_given_once_per_reason(world: World):
    template = hotpot_manjian(world, ways=[ClaimWay.GIFT])
    first = world.coupons.gift(
        ADMIN, member_id="mem_new", template_id=template.template_id, reason="registration"
    )
    again = world.coupons.gift(
        ADMIN, member_id="mem_new", template_id=template.template_id, reason="registration"
    )
    assert again.coupon_id == first.coupon_id
    assert first.origin is ClaimWay.GIFT


def test_a_transferable_coupon_is_given_to_a_friend(world: World):
    template = hotpot_manjian(world, transferable=True)
    mine = world.coupons.claim(member("mem_lily"), template_id=template.template_id, idempotency_key="c")
    theirs = world.coupons.give_to_friend(
        member("mem_lily"), coupon_id=mine.coupon_id, friend_member_id="mem_tom", idempotency_key="g"
    )
    assert theirs.code != mine.code
    assert world.coupons.my_coupons(alliance_id=ALLIANCE, member_id="mem_lily") == []
    assert [c.coupon_id for c in world.coupons.my_coupons(alliance_id=ALLIANCE, member_id="mem_tom")] == [
        theirs.coupon_id
    ]
    with pytest.raises(CouponAlreadyUsed):
        world.coupons.give_to_friend(
            member("mem_lily"), coupon_id=mine.coupon_id, friend_member_id="mem_ann", idempotency_key="g2"
        )
    fixed = hotpot_manjian(world, name="不可转赠")
    kept = world.coupons.claim(member("mem_lily"), template_id=fixed.template_id, idempotency_key="c3")
    with pytest.raises(CouponNotTransferable):
        world.coupons.give_to_friend(
            member("mem_lily"), coupon_id=kept.coupon_id, friend_member_id="mem_tom", idempotency_key="g3"
        )


def test_a_bulk_issue_runs_in_steps_skips_the_refused_and_is_safe_to_rerun(world: World):
    template = hotpot_manjian(world, total=5, ways=[ClaimWay.STAFF])
    members = [f"mem_{i}" for i in range(7)]
    job = world.coupons.start_issue(
        HOTPOT_OWNER, template_id=template.template_id, member_ids=members, idempotency_key="j"
    )
    job = world.coupons.run_issue(HOTPOT_OWNER, job_id=job.job_id, batch=3)
    assert (job.done, job.issued, job.finished) == (3, 3, False)
    job = world.coupons.run_issue(HOTPOT_OWNER, job_id=job.job_id, batch=10)
    assert (job.done, job.issued, job.finished) == (7, 5, True)
    assert [code for _, code in job.skipped] == ["rewards.coupon_sold_out"] * 2
    again = world.coupons.run_issue(HOTPOT_OWNER, job_id=job.job_id)
    assert again.issued == 5
    assert world.coupons.counts(alliance_id=ALLIANCE) == {"unused": 5}


def test_an_operator_issues_to_every_member_of_a_tier_once_within_the_members_limit(world: World):
    template = hotpot_manjian(world, ways=[ClaimWay.STAFF, ClaimWay.CENTRE], per_member_limit=1)
    world.ports.tiers["gold"] = ["mem_a", "mem_b", "mem_c"]
    world.coupons.claim(member("mem_b"), template_id=template.template_id, idempotency_key="b-claims")
    job = world.coupons.issue(HOTPOT_OWNER, template_id=template.template_id, tier_code="gold",
                              idempotency_key="gold", batch=2)  # fmt: skip
    assert (job.total, job.done, job.issued, job.finished) == (3, 3, 2, True)
    assert job.skipped == (("mem_b", "rewards.coupon_limit_reached"),)  # she claimed hers already
    replayed = world.coupons.issue(HOTPOT_OWNER, template_id=template.template_id, tier_code="gold",
                                   idempotency_key="gold")  # fmt: skip
    assert (replayed.job_id, replayed.issued) == (job.job_id, 2)
    assert world.coupons.counts(alliance_id=ALLIANCE) == {"unused": 3}
    with pytest.raises(IssueAudienceUnknown):
        world.coupons.start_issue(HOTPOT_OWNER, template_id=template.template_id, tier_code="platinum",
                                  idempotency_key="none")  # fmt: skip
    with pytest.raises(CouponTemplateInvalid):
        world.coupons.start_issue(HOTPOT_OWNER, template_id=template.template_id, tier_code="gold",
                                  member_ids=["mem_a"], idempotency_key="both")  # fmt: skip


def test_an_exchange_coupon_is_written_off_once_at_the_issuers_stores_only(world: World):
    drink = world.coupons.create_template(
        HOTPOT_OWNER, idempotency_key="drink", name="酸梅汤兑换券", kind=CouponKind.EXCHANGE,
        issuer_merchant_id=HOTPOT, item="酸梅汤一扎", valid_days=7,
    )  # fmt: skip
    coupon = world.coupons.claim(member("mem_lily"), template_id=drink.template_id, idempotency_key="c")
    with pytest.raises(CouponNotUsable) as refused:
        world.coupons.redeem_exchange(
            staff(KTV, "st_ktv_1"), store_id="st_ktv_1", code=coupon.code, idempotency_key="x1"
        )
    assert refused.value.details["reason"] == Reason.MERCHANT.value
    cashier = staff(HOTPOT, "st_hotpot_2")
    used = world.coupons.redeem_exchange(
        cashier, store_id="st_hotpot_2", code=coupon.code.lower(), idempotency_key="x2"
    )
    assert (used.state, used.used_store_id) == (CouponState.USED, "st_hotpot_2")
    with pytest.raises(CouponAlreadyUsed):
        world.coupons.redeem_exchange(cashier, store_id="st_hotpot_2", code=coupon.code, idempotency_key="x3")
    assert PLACES["st_hotpot_2"].merchant_id == HOTPOT
