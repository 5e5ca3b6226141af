"""A campaign's budget bounds its extra points: what is left is all a purchase can get."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from guildcard.loyalty.domain import (
    Campaign,
    CampaignInvalid,
    EarnTerms,
    LoyaltySettings,
    MemberStanding,
    MerchantEarnRules,
    Purchase,
    evaluate_earn,
)

WEDNESDAY_EVENING = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
HOTPOT = EarnTerms(merchant_id="mer_hotpot", points_per_yuan=Decimal(1), trade_category="catering")
BUDGETED = Campaign(campaign_id="cmp_1", name="会员日", multiplier=Decimal(2), budget_points=1_000)


def earn(amount_fen, campaigns, budgets_left, *, settings=None):
    return evaluate_earn(
        Purchase(amount_fen=amount_fen, occurred_at=WEDNESDAY_EVENING),
        member=MemberStanding(is_member=True),
        terms=HOTPOT,
        rules=MerchantEarnRules(merchant_id="mer_hotpot"),
        campaigns=campaigns,
        settings=settings or LoyaltySettings(),
        budgets_left=budgets_left,
    )


def test_a_budget_with_room_doubles_as_before_and_counts_what_it_gave():
    quote = earn(12_800, [BUDGETED], {"cmp_1": 1_000})
    assert (quote.points, quote.campaign_points, quote.campaign_id) == (256, 128, "cmp_1")


def test_the_last_points_of_a_budget_are_all_a_purchase_gets_and_the_line_says_so():
    quote = earn(12_800, [BUDGETED], {"cmp_1": 40})
    assert (quote.points, quote.campaign_points) == (168, 40)
    assert quote.lines[-1].label_zh == "会员日 × 2，活动预算仅剩 40 积分 = +40"


def test_a_spent_budget_stops_the_multiplier_and_the_preview_says_why():
    quote = earn(12_800, [BUDGETED], {"cmp_1": 0})
    assert (quote.points, quote.campaign_points, quote.campaign_id) == (128, 0, None)
    assert quote.codes == ["base", "campaign_budget_spent"]
    assert quote.lines[-1].label_zh == "会员日 活动预算已用完：不再加倍"


def test_when_the_best_campaign_is_spent_the_next_best_applies():
    other = Campaign(campaign_id="cmp_2", name="周三", multiplier=Decimal("1.5"))
    tripled = Campaign(campaign_id="cmp_3", name="店庆", multiplier=Decimal(3), budget_points=500)
    quote = earn(10_000, [other, tripled], {"cmp_3": 0})
    assert (quote.points, quote.campaign_id) == (150, "cmp_2")
    assert quote.codes == ["base", "campaign_budget_spent", "campaign"]


def test_caps_cut_the_campaign_first_so_its_budget_pays_only_what_was_given():
    quote = earn(12_800, [BUDGETED], {"cmp_1": 1_000}, settings=LoyaltySettings(transaction_cap=200))
    assert (quote.points, quote.campaign_points) == (200, 72)


@pytest.mark.parametrize("budget", [0, -5, True])
def test_a_budget_is_a_whole_number_of_points_above_zero(budget):
    with pytest.raises(CampaignInvalid) as raised:
        Campaign(campaign_id="cmp_x", name="x", multiplier=Decimal(2), budget_points=budget)
    assert raised.value.details["field"] == "budget_points"
