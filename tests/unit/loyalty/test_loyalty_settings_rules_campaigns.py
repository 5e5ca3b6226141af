"""Settings, merchant rules and campaigns refuse what makes no sense, with stable codes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from guildcard.loyalty import codec
from guildcard.loyalty.domain import (
    Campaign,
    CampaignInvalid,
    EarnTerms,
    LoyaltySettings,
    MerchantEarnRules,
    RuleOutsideLimits,
    RulesInvalid,
    SettingsInvalid,
    UnknownSetting,
    check_rules_within_limits,
    check_terms_within_limits,
)

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_the_defaults_are_100_points_a_yuan_half_a_bill_and_points_at_once():
    settings = LoyaltySettings()
    assert settings.redeem_points_per_yuan == 100
    assert settings.max_redeem_share == Decimal("0.5")
    assert settings.pending_days == 0
    assert settings.only_members_earn is False


@pytest.mark.parametrize(
    "changes",
    [
        {"redeem_points_per_yuan": 0},
        {"max_redeem_share": "1.01"},
        {"max_redeem_share": "-0.1"},
        {"pending_days": -1},
        {"min_points_per_yuan": "5", "max_points_per_yuan": "2"},
        {"daily_cap": -5},
        {"max_redeem_share": 0.5},  # floats hide rounding: refused
        {"only_members_earn": "yes"},
        {"pending_days": "3"},
        {"growth_per_yuan": "abc"},
    ],
)
def test_nonsense_settings_are_refused(changes):
    with pytest.raises(SettingsInvalid) as caught:
        LoyaltySettings().with_changes(changes)
    assert caught.value.code == "loyalty.settings_invalid"


def test_an_unknown_setting_is_named():
    with pytest.raises(UnknownSetting, match="points_rate"):
        LoyaltySettings().with_changes({"points_rate": 2})


def test_a_merchant_may_not_exceed_the_alliance_multiplier_or_caps():
    settings = LoyaltySettings(max_category_multiplier=Decimal(3), transaction_cap=1_000, daily_cap=3_000)
    check_rules_within_limits(
        MerchantEarnRules(merchant_id="m", category_multipliers={"drinks": Decimal(3)}, daily_cap=3_000),
        settings,
    )
    with pytest.raises(RuleOutsideLimits) as caught:
        check_rules_within_limits(
            MerchantEarnRules(
                merchant_id="m",
                category_multipliers={"drinks": Decimal("3.5")},
                transaction_cap=2_000,
                daily_cap=3_001,
            ),
            settings,
        )
    assert caught.value.code == "loyalty.rule_outside_limits"
    assert len(caught.value.details["problems"]) == 3


def test_a_contract_rate_outside_the_alliance_limits_is_refused():
    settings = LoyaltySettings(min_points_per_yuan=Decimal("0.5"), max_points_per_yuan=Decimal(2))
    check_terms_within_limits(EarnTerms(merchant_id="m", points_per_yuan=Decimal(2)), settings)
    with pytest.raises(RuleOutsideLimits):
        check_terms_within_limits(EarnTerms(merchant_id="m", points_per_yuan=Decimal("2.5")), settings)


@pytest.mark.parametrize(
    "rules",
    [
        {"category_multipliers": {"drinks": Decimal(-1)}},
        {"category_multipliers": {"": Decimal(2)}},
        {"transaction_cap": -1},
        {"min_amount_fen": -100},
    ],
)
def test_nonsense_rules_are_refused(rules):
    with pytest.raises(RulesInvalid):
        MerchantEarnRules(merchant_id="m", **rules)


@pytest.mark.parametrize(
    "campaign",
    [
        {"multiplier": Decimal(1)},  # no bonus is no campaign
        {"multiplier": Decimal(11)},
        {"name": " "},
        {"weekdays": frozenset({0})},
        {"starts_at": AT, "ends_at": AT},
        {"time_from": time(18), "time_to": time(9)},
    ],
)
def test_nonsense_campaigns_are_refused(campaign):
    values = {"campaign_id": "cmp_1", "name": "会员日", "multiplier": Decimal(2), **campaign}
    with pytest.raises(CampaignInvalid):
        Campaign(**values)


def test_values_survive_a_round_trip_through_their_json_form():
    settings = LoyaltySettings(max_redeem_share=Decimal("0.35"), daily_cap=900, only_members_earn=True)
    assert codec.settings_from_dict(codec.settings_to_dict(settings)) == settings
    rules = MerchantEarnRules(
        merchant_id="m", category_multipliers={"drinks": Decimal("2.5")}, daily_cap=10, effective_from=AT
    )
    assert codec.rules_from_dict(codec.rules_to_dict(rules)) == rules
    campaign = Campaign(
        campaign_id="cmp_1",
        name="会员日",
        multiplier=Decimal("1.5"),
        starts_at=AT,
        weekdays=frozenset({3, 6}),
        time_from=time(18, 30),
        merchant_ids=frozenset({"mer_b", "mer_a"}),
    )
    data = codec.campaign_to_dict(campaign)
    assert data["merchant_ids"] == ["mer_a", "mer_b"]
    assert codec.campaign_from_dict(data) == campaign


def test_rules_cannot_be_changed_behind_the_history():
    source = {"drinks": Decimal(2)}
    rules = MerchantEarnRules(merchant_id="m", category_multipliers=source)
    source["drinks"] = Decimal(5)
    assert rules.multiplier_for("drinks") == 2
    with pytest.raises(TypeError):
        rules.category_multipliers["drinks"] = Decimal(5)  # type: ignore[index]
