"""Earn evaluation, told as counter stories."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from guildcard.loyalty.domain import (
    Campaign,
    CategoryLine,
    EarnTerms,
    LoyaltySettings,
    MemberStanding,
    MerchantEarnRules,
    Purchase,
    RulesInvalid,
    evaluate_earn,
)

# Wednesday 2026-11-25 19:30 in Shanghai (11:30 UTC); Tuesday is the day before.
WEDNESDAY_EVENING = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
TUESDAY_EVENING = datetime(2026, 11, 24, 11, 30, tzinfo=UTC)
HOTPOT = EarnTerms(merchant_id="mer_hotpot", points_per_yuan=Decimal(1), trade_category="catering")
MEMBER = MemberStanding(is_member=True)
GUEST = MemberStanding(is_member=False)
MEMBER_DAY = Campaign(campaign_id="cmp_1", name="会员日", multiplier=Decimal(2), weekdays=frozenset({3}))


def earn(
    amount_fen,
    *,
    at=TUESDAY_EVENING,
    member=MEMBER,
    terms=HOTPOT,
    rules=None,
    campaigns=(),
    settings=None,
    earned_today=0,
    lines=(),
):
    return evaluate_earn(
        Purchase(amount_fen=amount_fen, occurred_at=at, lines=tuple(lines)),
        member=member,
        terms=terms,
        rules=rules or MerchantEarnRules(merchant_id=terms.merchant_id),
        campaigns=list(campaigns),
        settings=settings or LoyaltySettings(),
        earned_today=earned_today,
    )


def test_a_128_yuan_hotpot_dinner_at_1_point_per_yuan_earns_128_points():
    quote = earn(12_800)
    assert quote.points == 128
    assert [(line.code, line.points) for line in quote.lines] == [("base", 128)]
    assert quote.lines[0].label_en == "base 1 pt/¥ × ¥128.00 = 128"
    assert quote.lines[0].label_zh == "基础积分 每元 1 积分 × ¥128.00 = 128"


def test_on_member_day_wednesday_the_same_dinner_earns_double():
    quote = earn(12_800, at=WEDNESDAY_EVENING, campaigns=[MEMBER_DAY])
    assert quote.points == 256
    assert quote.codes == ["base", "campaign"]
    assert quote.lines[1].label_en == "会员日 × 2 = +128"
    assert quote.campaign_id == "cmp_1"


def test_member_day_does_nothing_on_a_tuesday():
    assert earn(12_800, at=TUESDAY_EVENING, campaigns=[MEMBER_DAY]).points == 128


def test_member_day_is_judged_in_shanghai_not_utc():
    # 2026-11-25 17:00 UTC is already Thursday 01:00 in Shanghai.
    late = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert earn(12_800, at=late, campaigns=[MEMBER_DAY]).points == 128
    # 2026-11-24 16:30 UTC is Wednesday 00:30 in Shanghai.
    early = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert earn(12_800, at=early, campaigns=[MEMBER_DAY]).points == 256


def test_a_member_day_is_for_members_only():
    assert earn(12_800, at=WEDNESDAY_EVENING, member=GUEST, campaigns=[MEMBER_DAY]).points == 128


def test_campaigns_do_not_stack_the_highest_multiplier_applies():
    triple = Campaign(
        campaign_id="cmp_2", name="店庆", multiplier=Decimal(3), merchant_ids=frozenset({"mer_hotpot"})
    )
    quote = earn(10_000, at=WEDNESDAY_EVENING, campaigns=[MEMBER_DAY, triple])
    assert quote.points == 300
    assert quote.codes == ["base", "campaign"]
    assert quote.campaign_id == "cmp_2"


def test_a_campaign_for_other_merchants_or_trades_does_not_apply():
    others = Campaign(
        campaign_id="cmp_3", name="美业周", multiplier=Decimal(2), trade_categories=frozenset({"beauty"})
    )
    spa = Campaign(
        campaign_id="cmp_4", name="SPA", multiplier=Decimal(2), merchant_ids=frozenset({"mer_spa"})
    )
    assert earn(10_000, campaigns=[others, spa]).points == 100


def test_a_happy_hour_campaign_applies_only_within_its_hours():
    happy = Campaign(
        campaign_id="cmp_5",
        name="欢乐时光",
        multiplier=Decimal("1.5"),
        time_from=time(14, 0),
        time_to=time(17, 0),
    )
    afternoon = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai
    assert earn(10_000, at=afternoon, campaigns=[happy]).points == 150
    assert earn(10_000, at=TUESDAY_EVENING, campaigns=[happy]).points == 100


def test_drinks_earn_triple_with_a_category_multiplier():
    rules = MerchantEarnRules(merchant_id="mer_hotpot", category_multipliers={"drinks": Decimal(3)})
    quote = earn(12_800, rules=rules, lines=[CategoryLine("drinks", 3_000)])
    assert [(line.code, line.points) for line in quote.lines] == [("base", 128), ("category_bonus", 60)]
    assert quote.points == 188
    assert quote.lines[1].label_en == "drinks ¥30.00 × 3 = +60"


def test_a_zero_multiplier_takes_a_category_out_of_earning():
    rules = MerchantEarnRules(merchant_id="mer_hotpot", category_multipliers={"tobacco": Decimal(0)})
    quote = earn(10_000, rules=rules, lines=[CategoryLine("tobacco", 4_000)])
    assert quote.points == 60
    assert quote.lines[1].points == -40


def test_the_per_transaction_cap_trims_a_big_bill():
    rules = MerchantEarnRules(merchant_id="mer_hotpot", transaction_cap=500)
    quote = earn(88_800, rules=rules)
    assert quote.points == 500
    assert [(line.code, line.points) for line in quote.lines] == [("base", 888), ("cap_transaction", -388)]
    assert quote.lines[1].label_en == "cap 500/transaction = -388"


def test_the_per_day_cap_counts_what_the_member_earned_earlier_today():
    rules = MerchantEarnRules(merchant_id="mer_hotpot", daily_cap=500)
    quote = earn(30_000, rules=rules, earned_today=400)
    assert quote.points == 100
    assert quote.codes == ["base", "cap_day"]
    assert earn(30_000, rules=rules, earned_today=500).points == 0
    assert earn(30_000, rules=rules, earned_today=0).points == 300


def test_caps_apply_after_the_campaign():
    rules = MerchantEarnRules(merchant_id="mer_hotpot", transaction_cap=200)
    quote = earn(12_800, at=WEDNESDAY_EVENING, rules=rules, campaigns=[MEMBER_DAY])
    assert quote.codes == ["base", "campaign", "cap_transaction"]
    assert quote.points == 200


def test_an_alliance_cap_binds_even_when_the_merchant_set_a_higher_one_earlier():
    rules = MerchantEarnRules(merchant_id="mer_hotpot", transaction_cap=1_000)
    assert earn(88_800, rules=rules, settings=LoyaltySettings(transaction_cap=300)).points == 300


def test_below_the_minimum_amount_no_points_are_earned_and_the_reason_is_given():
    rules = MerchantEarnRules(merchant_id="mer_hotpot", min_amount_fen=2_000)
    quote = earn(1_990, rules=rules)
    assert quote.points == 0
    assert quote.codes == ["minimum_not_met"]
    assert "¥20.00" in quote.lines[0].label_en
    assert earn(2_000, rules=rules).points == 20


def test_a_non_member_earns_nothing_when_only_members_earn():
    quote = earn(12_800, member=GUEST, settings=LoyaltySettings(only_members_earn=True))
    assert quote.points == 0
    assert quote.codes == ["members_only"]
    assert "仅会员" in quote.lines[0].label_zh


def test_a_non_member_earns_base_points_when_the_switch_is_off():
    assert earn(12_800, member=GUEST).points == 128


def test_growth_accrues_at_its_own_rate_separately_from_points():
    settings = LoyaltySettings(growth_per_yuan=Decimal(2))
    rules = MerchantEarnRules(merchant_id="mer_hotpot", transaction_cap=50)
    quote = earn(12_800, rules=rules, settings=settings, at=WEDNESDAY_EVENING, campaigns=[MEMBER_DAY])
    assert quote.points == 50
    assert quote.growth == 256  # ¥128 × 2, untouched by caps and campaigns


def test_growth_accrues_even_below_the_points_minimum_but_not_for_non_members():
    rules = MerchantEarnRules(merchant_id="mer_hotpot", min_amount_fen=5_000)
    assert earn(1_000, rules=rules).growth == 10
    assert earn(1_000, member=GUEST).growth == 0


@pytest.mark.parametrize(
    ("amount_fen", "rate", "expected"),
    [
        (99, "1", 0),  # ¥0.99 earns nothing: no fraction of a point
        (199, "1", 1),  # ¥1.99 earns 1, rounded toward zero
        (12_850, "1", 128),
        (12_850, "1.5", 192),  # 192.75 -> 192
        (333, "0.3", 0),  # 0.999 -> 0
        (1_000_000, "0.01", 100),
    ],
)
def test_rounding_is_toward_zero(amount_fen, rate, expected):
    terms = EarnTerms(merchant_id="mer_hotpot", points_per_yuan=Decimal(rate))
    assert earn(amount_fen, terms=terms).points == expected


def test_the_tier_multiplier_seam_multiplies_before_campaigns():
    gold = MemberStanding(is_member=True, tier_multiplier=Decimal("1.5"))
    quote = earn(10_000, member=gold, at=WEDNESDAY_EVENING, campaigns=[MEMBER_DAY])
    assert [(line.code, line.points) for line in quote.lines] == [
        ("base", 100),
        ("tier", 50),
        ("campaign", 150),
    ]
    assert quote.lines[1].label_en == "tier × 1.5 = +50"


def test_category_lines_cannot_exceed_the_purchase():
    with pytest.raises(RulesInvalid):
        Purchase(amount_fen=100, occurred_at=TUESDAY_EVENING, lines=(CategoryLine("drinks", 200),))
