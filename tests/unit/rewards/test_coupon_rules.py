"""Coupon rules: what a coupon takes off a bill, where it applies, and who bears the discount."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from guildcard.rewards.domain.coupons import (
    Audience,
    ClaimWay,
    Coupon,
    CouponKind,
    CouponNotClaimable,
    CouponNotForMember,
    CouponRules,
    CouponState,
    CouponTemplate,
    CouponTemplateInvalid,
    Funding,
    MemberFacts,
    Place,
    Reason,
    best_first,
    check_claimable,
    check_template,
    discount_for,
    funding_lines,
    headline,
    judge,
    new_code,
    rules_text,
    validity,
)

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
HOTPOT = Place("st_hotpot1", "mer_hotpot", "catering")
KTV = Place("st_ktv1", "mer_ktv", "ktv")
CINEMA = Place("st_cinema1", "mer_cinema", "cinema")

MANJIAN = CouponRules(
    kind=CouponKind.AMOUNT_OFF,
    name="满100减20",
    issuer_merchant_id="mer_hotpot",
    value_fen=2_000,
    threshold_fen=10_000,
)
ALLIANCE_VOUCHER = CouponRules(
    kind=CouponKind.VOUCHER,
    name="联盟通用券",
    issuer_merchant_id=None,
    value_fen=3_000,
    funding=Funding.MARKETING,
)


def coupon(rules: CouponRules, **changes: object) -> Coupon:
    base = Coupon(
        coupon_id="cpn_1", code=new_code(), template_id="cpt_1", member_id="mem_1", rules=rules,
        valid_from=NOW - timedelta(days=1), valid_until=NOW + timedelta(days=7),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def template(rules: CouponRules, **changes: object) -> CouponTemplate:
    return replace(CouponTemplate(template_id="cpt_1", rules=rules, valid_days=7), **changes)  # type: ignore[arg-type]


def test_manjian_applies_only_from_its_threshold():
    below = judge(coupon(MANJIAN), bill_fen=9_999, place=HOTPOT, at=NOW)
    at_threshold = judge(coupon(MANJIAN), bill_fen=10_000, place=HOTPOT, at=NOW)
    assert (below.usable, below.reason) == (False, Reason.THRESHOLD)
    assert (at_threshold.usable, at_threshold.discount_fen) == (True, 2_000)


def test_percent_off_is_capped_and_rounds_down():
    rules = CouponRules(
        kind=CouponKind.PERCENT_OFF,
        name="8折",
        issuer_merchant_id="mer_hotpot",
        percent_off=20,
        cap_fen=3_000,
    )
    assert discount_for(rules, 10_001) == 2_000  # 20.002 yuan rounds down to whole fen
    assert discount_for(rules, 50_000) == 3_000  # capped
    assert headline(rules)[0] == "8折 最高减¥30"


def test_a_voucher_never_takes_more_than_the_bill():
    assert discount_for(ALLIANCE_VOUCHER, 1_200) == 1_200


def test_a_hotpot_coupon_is_refused_at_the_ktv_with_the_reason():
    verdict = judge(coupon(MANJIAN), bill_fen=50_000, place=KTV, at=NOW)
    assert verdict.reason is Reason.MERCHANT


def test_a_merchant_coupon_for_chosen_stores_only():
    rules = replace(MANJIAN, store_ids=frozenset({"st_hotpot2"}))
    assert judge(coupon(rules), bill_fen=50_000, place=HOTPOT, at=NOW).reason is Reason.STORE


def test_an_alliance_coupon_for_chosen_trades():
    rules = replace(ALLIANCE_VOUCHER, trades=frozenset({"cinema"}))
    assert judge(coupon(rules), bill_fen=5_000, place=CINEMA, at=NOW).usable
    assert judge(coupon(rules), bill_fen=5_000, place=KTV, at=NOW).reason is Reason.TRADE


def test_time_state_and_stacking_reasons():
    assert (
        judge(coupon(MANJIAN, valid_until=NOW), bill_fen=20_000, place=HOTPOT, at=NOW).reason
        is Reason.EXPIRED
    )
    later = coupon(MANJIAN, valid_from=NOW + timedelta(hours=1))
    assert judge(later, bill_fen=20_000, place=HOTPOT, at=NOW).reason is Reason.NOT_YET
    used = coupon(MANJIAN, state=CouponState.USED)
    assert judge(used, bill_fen=20_000, place=HOTPOT, at=NOW).reason is Reason.STATE
    alone = coupon(replace(MANJIAN, stackable_with_points=False))
    assert judge(alone, bill_fen=20_000, place=HOTPOT, at=NOW, with_points=True).reason is Reason.STACKING


def test_exchange_coupons_are_written_off_on_their_own():
    drink = CouponRules(
        kind=CouponKind.EXCHANGE, name="饮料兑换券", issuer_merchant_id="mer_hotpot", item="酸梅汤"
    )
    assert judge(coupon(drink), bill_fen=20_000, place=HOTPOT, at=NOW).reason is Reason.EXCHANGE
    assert judge(coupon(drink), bill_fen=0, place=HOTPOT, at=NOW, exchange=True).usable
    assert (
        judge(coupon(MANJIAN), bill_fen=0, place=HOTPOT, at=NOW, exchange=True).reason is Reason.NOT_EXCHANGE
    )


def test_best_first_puts_the_biggest_usable_discount_first():
    small = coupon(replace(MANJIAN, value_fen=500), coupon_id="cpn_small")
    big = coupon(MANJIAN, coupon_id="cpn_big")
    elsewhere = coupon(ALLIANCE_VOUCHER, coupon_id="cpn_x", state=CouponState.USED)
    order = best_first([judge(c, bill_fen=12_000, place=HOTPOT, at=NOW) for c in (small, elsewhere, big)])
    assert [v.coupon.coupon_id for v in order] == ["cpn_big", "cpn_small", "cpn_x"]


def test_funding_an_alliance_coupon_used_at_the_cinema():
    lines = funding_lines(ALLIANCE_VOUCHER, 3_000, "mer_cinema")
    assert {(line.account, line.amount) for line in lines} == {
        ("platform:marketing", 3_000),
        ("merchant:mer_cinema:settlement", -3_000),
    }


def test_funding_a_merchant_coupon_used_at_another_merchant_and_a_split():
    cross = replace(MANJIAN, merchant_ids=frozenset())
    lines = funding_lines(cross, 2_000, "mer_ktv")
    assert {(x.account, x.amount) for x in lines} == {
        ("merchant:mer_hotpot:settlement", 2_000),
        ("merchant:mer_ktv:settlement", -2_000),
    }
    assert funding_lines(MANJIAN, 2_000, "mer_hotpot") == []  # its own discount: nothing moves
    split = replace(MANJIAN, funding=Funding.SPLIT, issuer_share_percent=60)
    lines = funding_lines(split, 2_000, "mer_hotpot")
    assert {(x.account, x.amount) for x in lines} == {
        ("platform:marketing", 800),
        ("merchant:mer_hotpot:settlement", -800),
    }
    assert sum(x.amount for x in funding_lines(split, 2_001, "mer_ktv")) == 0


def test_templates_that_cannot_work_are_refused_naming_the_field():
    with pytest.raises(CouponTemplateInvalid) as caught:
        check_template(template(replace(MANJIAN, value_fen=10_000)))
    assert caught.value.details["field"] == "value_fen"
    with pytest.raises(CouponTemplateInvalid):
        check_template(template(MANJIAN, valid_days=None))  # neither a window nor N days
    with pytest.raises(CouponTemplateInvalid):
        check_template(template(replace(ALLIANCE_VOUCHER, funding=Funding.ISSUER)))
    with pytest.raises(CouponTemplateInvalid):
        check_template(template(MANJIAN, ways=frozenset({ClaimWay.POINTS})))  # no price
    assert check_template(template(MANJIAN)).rules is MANJIAN


def test_claim_window_and_audience():
    fresh = MemberFacts("mem_1", NOW - timedelta(days=3))
    old = MemberFacts("mem_2", NOW - timedelta(days=90), tier_code="gold")
    later = template(MANJIAN, claim_from=NOW + timedelta(days=1))
    with pytest.raises(CouponNotClaimable):
        check_claimable(later, ClaimWay.CENTRE, fresh, NOW)
    newcomers = template(MANJIAN, audience=Audience.NEW_MEMBERS)
    check_claimable(newcomers, ClaimWay.CENTRE, fresh, NOW)
    with pytest.raises(CouponNotForMember):
        check_claimable(newcomers, ClaimWay.CENTRE, old, NOW)
    gold = template(MANJIAN, audience=Audience.TIERS, tiers=frozenset({"gold"}))
    check_claimable(gold, ClaimWay.CENTRE, old, NOW)
    with pytest.raises(CouponNotForMember):
        check_claimable(gold, ClaimWay.CENTRE, fresh, NOW)
    with pytest.raises(CouponNotClaimable):
        check_claimable(template(MANJIAN), ClaimWay.STAFF, fresh, NOW)  # not a way of this coupon


def test_validity_fixed_or_n_days():
    assert validity(template(MANJIAN, valid_days=7), NOW) == (NOW, NOW + timedelta(days=7))
    fixed = template(MANJIAN, valid_days=None, use_until=NOW + timedelta(days=30))
    assert validity(fixed, NOW) == (NOW, NOW + timedelta(days=30))


def test_codes_are_long_random_and_unambiguous():
    codes = {new_code() for _ in range(2_000)}
    assert len(codes) == 2_000
    assert all(len(c) == 16 and not set(c) & set("01OI") for c in codes)


def test_rules_in_plain_chinese():
    text = rules_text(MANJIAN, merchant_names={"mer_hotpot": "蜀香火锅"})
    assert text.zh[0] == "满¥100减¥20"
    assert "限蜀香火锅门店使用" in text.zh
    assert "全部联盟商家可用" in rules_text(ALLIANCE_VOUCHER).zh[1]
