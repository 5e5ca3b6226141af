"""Loyalty settings, merchant rules and campaigns, stored and read back on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from guildcard.kernel.clock import FixedClock
from guildcard.kernel.errors import IdempotencyConflict
from guildcard.loyalty.domain import (
    CampaignEnded,
    CampaignNotFound,
    EarnTerms,
    LoyaltySettings,
    MemberStanding,
    Purchase,
    RuleOutsideLimits,
    RulesAlreadyScheduled,
    RulesBackdated,
    SettingsInvalid,
    UnknownSetting,
    evaluate_earn,
)
from guildcard.loyalty.service import LoyaltyService

# Monday 2026-11-23 10:00 in Shanghai.
MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WEDNESDAY = MONDAY + timedelta(days=2)
ALLIANCE, OTHER_ALLIANCE = "al_westlake", "al_other"
OPERATOR, OWNER = "usr_operator", "usr_owner"


@pytest.fixture
def clock():
    return FixedClock(MONDAY)


@pytest.fixture
def loyalty(database, clock):
    return LoyaltyService(database, clock)


def test_an_alliance_starts_with_the_default_settings(loyalty):
    assert loyalty.get_settings(alliance_id=ALLIANCE) == LoyaltySettings()


def test_an_operator_sets_the_points_economics_and_it_reads_back_exactly(loyalty):
    changes = {
        "redeem_points_per_yuan": 1000,
        "max_redeem_share": "0.3",
        "min_order_for_redeem_fen": 5_000,
        "only_members_earn": True,
        "pending_days": 7,
        "growth_per_yuan": Decimal("1.5"),
        "daily_cap": 2_000,
        "backfill_window_days": 15,
        "backfill_approval_threshold_fen": 100_000,
    }
    written = loyalty.update_settings(
        alliance_id=ALLIANCE, changes=changes, actor_id=OPERATOR, idempotency_key="set-1"
    )
    stored = loyalty.get_settings(alliance_id=ALLIANCE)
    assert written.value == stored
    assert not written.replayed
    assert stored.redeem_points_per_yuan == 1000
    assert stored.max_redeem_share == Decimal("0.3")
    assert stored.growth_per_yuan == Decimal("1.5")
    assert stored.only_members_earn is True
    assert (stored.pending_days, stored.daily_cap, stored.transaction_cap) == (7, 2_000, None)
    assert loyalty.get_settings(alliance_id=OTHER_ALLIANCE) == LoyaltySettings()


def test_later_changes_keep_earlier_ones(loyalty):
    loyalty.update_settings(
        alliance_id=ALLIANCE, changes={"pending_days": 3}, actor_id=OPERATOR, idempotency_key="a"
    )
    loyalty.update_settings(
        alliance_id=ALLIANCE, changes={"only_members_earn": True}, actor_id=OPERATOR, idempotency_key="b"
    )
    stored = loyalty.get_settings(alliance_id=ALLIANCE)
    assert (stored.pending_days, stored.only_members_earn) == (3, True)


def test_a_replayed_settings_change_returns_the_first_result_and_a_different_one_conflicts(loyalty):
    first = loyalty.update_settings(
        alliance_id=ALLIANCE, changes={"pending_days": 3}, actor_id=OPERATOR, idempotency_key="k"
    )
    loyalty.update_settings(
        alliance_id=ALLIANCE, changes={"pending_days": 5}, actor_id=OPERATOR, idempotency_key="k2"
    )
    replay = loyalty.update_settings(
        alliance_id=ALLIANCE, changes={"pending_days": 3}, actor_id=OPERATOR, idempotency_key="k"
    )
    assert replay.replayed
    assert replay.value == first.value
    assert loyalty.get_settings(alliance_id=ALLIANCE).pending_days == 5  # the replay changed nothing
    with pytest.raises(IdempotencyConflict):
        loyalty.update_settings(
            alliance_id=ALLIANCE, changes={"pending_days": 9}, actor_id=OPERATOR, idempotency_key="k"
        )


def test_invalid_or_unknown_settings_are_refused_and_nothing_changes(loyalty):
    with pytest.raises(SettingsInvalid, match="max_redeem_share"):
        loyalty.update_settings(
            alliance_id=ALLIANCE, changes={"max_redeem_share": "1.5"}, actor_id=OPERATOR, idempotency_key="x"
        )
    with pytest.raises(UnknownSetting) as caught:
        loyalty.update_settings(
            alliance_id=ALLIANCE, changes={"points_rate": 2}, actor_id=OPERATOR, idempotency_key="y"
        )
    assert caught.value.code == "loyalty.unknown_setting"
    assert loyalty.get_settings(alliance_id=ALLIANCE) == LoyaltySettings()
    # The refused request did not burn its key.
    ok = loyalty.update_settings(
        alliance_id=ALLIANCE, changes={"max_redeem_share": "0.8"}, actor_id=OPERATOR, idempotency_key="x"
    )
    assert ok.value.max_redeem_share == Decimal("0.8")


def test_merchant_rules_keep_their_history_and_the_rules_in_force_follow_time(loyalty, clock):
    loyalty.set_merchant_rules(
        alliance_id=ALLIANCE,
        merchant_id="mer_hotpot",
        category_multipliers={"drinks": Decimal(2)},
        transaction_cap=500,
        actor_id=OWNER,
        idempotency_key="r1",
    )
    next_month = MONDAY + timedelta(days=30)
    loyalty.set_merchant_rules(
        alliance_id=ALLIANCE,
        merchant_id="mer_hotpot",
        category_multipliers={"drinks": Decimal(3)},
        daily_cap=800,
        min_amount_fen=2_000,
        effective_from=next_month,
        actor_id=OWNER,
        idempotency_key="r2",
    )
    now_rules = loyalty.rules_in_force(
        alliance_id=ALLIANCE, merchant_id="mer_hotpot", at=MONDAY + timedelta(days=1)
    )
    later = loyalty.rules_in_force(alliance_id=ALLIANCE, merchant_id="mer_hotpot", at=next_month)
    assert (now_rules.multiplier_for("drinks"), now_rules.transaction_cap, now_rules.daily_cap) == (
        2,
        500,
        None,
    )
    assert (later.multiplier_for("drinks"), later.daily_cap, later.min_amount_fen) == (3, 800, 2_000)
    assert later.effective_from == next_month
    history = loyalty.rules_history(alliance_id=ALLIANCE, merchant_id="mer_hotpot")
    assert [r.effective_from for r in history] == [MONDAY, next_month]


def test_before_any_rules_a_merchant_earns_on_the_defaults(loyalty):
    rules = loyalty.rules_in_force(alliance_id=ALLIANCE, merchant_id="mer_new", at=MONDAY)
    assert (rules.category_multipliers, rules.transaction_cap, rules.min_amount_fen) == ({}, None, 0)


def test_rules_outside_the_alliance_limits_are_refused(loyalty):
    loyalty.update_settings(
        alliance_id=ALLIANCE,
        changes={"max_category_multiplier": "3", "transaction_cap": 1_000},
        actor_id=OPERATOR,
        idempotency_key="limits",
    )
    with pytest.raises(RuleOutsideLimits) as caught:
        loyalty.set_merchant_rules(
            alliance_id=ALLIANCE,
            merchant_id="mer_hotpot",
            category_multipliers={"drinks": Decimal(5)},
            transaction_cap=5_000,
            actor_id=OWNER,
            idempotency_key="greedy",
        )
    assert caught.value.code == "loyalty.rule_outside_limits"
    assert len(caught.value.details["problems"]) == 2
    assert loyalty.rules_history(alliance_id=ALLIANCE, merchant_id="mer_hotpot") == []


def test_rules_cannot_be_backdated_or_scheduled_twice_for_one_moment(loyalty):
    with pytest.raises(RulesBackdated):
        loyalty.set_merchant_rules(
            alliance_id=ALLIANCE,
            merchant_id="mer_hotpot",
            effective_from=MONDAY - timedelta(days=1),
            actor_id=OWNER,
            idempotency_key="past",
        )
    kwargs = {
        "alliance_id": ALLIANCE,
        "merchant_id": "mer_hotpot",
        "effective_from": WEDNESDAY,
        "actor_id": OWNER,
    }
    loyalty.set_merchant_rules(**kwargs, min_amount_fen=100, idempotency_key="w1")
    with pytest.raises(RulesAlreadyScheduled):
        loyalty.set_merchant_rules(**kwargs, min_amount_fen=200, idempotency_key="w2")


def test_a_replayed_rules_change_is_returned_even_after_time_moved_on(loyalty, clock):
    first = loyalty.set_merchant_rules(
        alliance_id=ALLIANCE,
        merchant_id="mer_hotpot",
        transaction_cap=300,
        actor_id=OWNER,
        idempotency_key="r",
    )
    clock.advance(timedelta(hours=1))
    replay = loyalty.set_merchant_rules(
        alliance_id=ALLIANCE,
        merchant_id="mer_hotpot",
        transaction_cap=300,
        actor_id=OWNER,
        idempotency_key="r",
    )
    assert replay.replayed
    assert replay.value == first.value
    assert len(loyalty.rules_history(alliance_id=ALLIANCE, merchant_id="mer_hotpot")) == 1
    with pytest.raises(IdempotencyConflict):
        loyalty.set_merchant_rules(
            alliance_id=ALLIANCE,
            merchant_id="mer_hotpot",
            transaction_cap=400,
            actor_id=OWNER,
            idempotency_key="r",
        )


def member_day(loyalty, key="md", **overrides):
    kwargs = {
        "alliance_id": ALLIANCE,
        "name": "会员日",
        "multiplier": Decimal(2),
        "weekdays": [3],
        "starts_at": MONDAY,
        "ends_at": MONDAY + timedelta(days=28),
        "actor_id": OPERATOR,
        "idempotency_key": key,
    }
    return loyalty.create_campaign(**{**kwargs, **overrides}).value


def test_a_weekly_member_day_is_active_on_wednesdays_only_within_its_dates(loyalty):
    campaign = member_day(loyalty)
    assert loyalty.get_campaign(alliance_id=ALLIANCE, campaign_id=campaign.campaign_id) == campaign
    active = loyalty.active_campaigns(alliance_id=ALLIANCE, at=WEDNESDAY, merchant_id="mer_hotpot")
    assert [c.campaign_id for c in active] == [campaign.campaign_id]
    assert loyalty.active_campaigns(alliance_id=ALLIANCE, at=WEDNESDAY + timedelta(days=1)) == []
    assert loyalty.active_campaigns(alliance_id=ALLIANCE, at=WEDNESDAY + timedelta(days=28)) == []
    assert loyalty.active_campaigns(alliance_id=OTHER_ALLIANCE, at=WEDNESDAY) == []


def test_active_campaigns_respect_merchant_and_trade_scope_and_hours(loyalty):
    spa_week = member_day(loyalty, key="spa", name="美业周", weekdays=[], trade_categories=["beauty"])
    evening = member_day(
        loyalty,
        key="eve",
        name="夜宵",
        weekdays=[],
        merchant_ids=["mer_hotpot"],
        time_from=time(18),
        time_to=time(23),
    )
    ten_am = MONDAY  # 10:00 in Shanghai
    eight_pm = MONDAY + timedelta(hours=10)
    assert loyalty.active_campaigns(alliance_id=ALLIANCE, at=ten_am, category="beauty") == [spa_week]
    assert (
        loyalty.active_campaigns(
            alliance_id=ALLIANCE, at=ten_am, merchant_id="mer_hotpot", category="catering"
        )
        == []
    )
    at_night = loyalty.active_campaigns(
        alliance_id=ALLIANCE, at=eight_pm, merchant_id="mer_hotpot", category="catering"
    )
    assert at_night == [evening]


def test_an_ended_campaign_stops_applying_and_cannot_end_twice(loyalty, clock):
    campaign = member_day(loyalty)
    clock.set(WEDNESDAY)
    ended = loyalty.end_campaign(
        alliance_id=ALLIANCE, campaign_id=campaign.campaign_id, actor_id=OPERATOR, idempotency_key="end"
    )
    assert ended.value.ended_at == WEDNESDAY
    assert loyalty.active_campaigns(alliance_id=ALLIANCE, at=WEDNESDAY) == []
    assert loyalty.active_campaigns(alliance_id=ALLIANCE, at=WEDNESDAY - timedelta(minutes=1)) != []
    replay = loyalty.end_campaign(
        alliance_id=ALLIANCE, campaign_id=campaign.campaign_id, actor_id=OPERATOR, idempotency_key="end"
    )
    assert replay.replayed
    assert replay.value == ended.value
    with pytest.raises(CampaignEnded):
        loyalty.end_campaign(
            alliance_id=ALLIANCE,
            campaign_id=campaign.campaign_id,
            actor_id=OPERATOR,
            idempotency_key="end-again",
        )
    with pytest.raises(CampaignNotFound):
        loyalty.end_campaign(
            alliance_id=ALLIANCE, campaign_id="cmp_nope", actor_id=OPERATOR, idempotency_key="x"
        )


def test_an_operator_raises_a_campaign_multiplier(loyalty):
    campaign = member_day(loyalty)
    updated = loyalty.update_campaign(
        alliance_id=ALLIANCE,
        campaign_id=campaign.campaign_id,
        changes={"multiplier": Decimal(3), "weekdays": [3, 6]},
        actor_id=OPERATOR,
        idempotency_key="up",
    ).value
    stored = loyalty.get_campaign(alliance_id=ALLIANCE, campaign_id=campaign.campaign_id)
    assert stored == updated
    assert (stored.multiplier, stored.weekdays) == (Decimal(3), frozenset({3, 6}))


def test_a_replayed_campaign_creation_creates_one_campaign(loyalty):
    first = member_day(loyalty, key="once")
    again = member_day(loyalty, key="once")
    assert again == first
    assert len(loyalty.list_campaigns(alliance_id=ALLIANCE)) == 1
    with pytest.raises(IdempotencyConflict):
        member_day(loyalty, key="once", multiplier=Decimal(3))


def test_the_counter_story_stored_rules_and_campaigns_feed_the_evaluation(loyalty):
    loyalty.set_merchant_rules(
        alliance_id=ALLIANCE,
        merchant_id="mer_hotpot",
        transaction_cap=200,
        actor_id=OWNER,
        idempotency_key="rules",
    )
    member_day(loyalty)
    quote = evaluate_earn(
        Purchase(amount_fen=12_800, occurred_at=WEDNESDAY),
        member=MemberStanding(is_member=True),
        terms=EarnTerms(merchant_id="mer_hotpot", points_per_yuan=Decimal(1), trade_category="catering"),
        rules=loyalty.rules_in_force(alliance_id=ALLIANCE, merchant_id="mer_hotpot", at=WEDNESDAY),
        campaigns=loyalty.active_campaigns(alliance_id=ALLIANCE, at=WEDNESDAY, merchant_id="mer_hotpot"),
        settings=loyalty.get_settings(alliance_id=ALLIANCE),
    )
    assert [(line.code, line.points) for line in quote.lines] == [
        ("base", 128),
        ("campaign", 128),
        ("cap_transaction", -56),
    ]
    assert quote.points == 200
