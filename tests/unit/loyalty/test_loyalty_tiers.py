"""The tier rules: upgrade at once, refunds by policy, evaluation with retention and grace,
manual floors that end, paid cards, and what the member's card shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from guildcard.loyalty import tier_codec
from guildcard.loyalty.domain import tiers as t
from guildcard.loyalty.domain.errors import TierSchemeInvalid
from guildcard.loyalty.domain.tiers import Downgrade, RefundPolicy, Tier, TierReason, TierRules, TierScheme

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
MEMBER = Tier(code="member", name="普通会员", rank=0, threshold=0)
SILVER = Tier(
    code="silver", name="银卡", rank=1, threshold=1_000, retention=600, colour="#a8b0bd",
    points_multiplier=Decimal("1.2"), member_discount=Decimal("0.02"), gift_points=100,
)  # fmt: skip
GOLD = Tier(
    code="gold", name="金卡", rank=2, threshold=3_000, retention=2_000, colour="#d4a017", gift_points=300
)


def scheme(**rules: object) -> TierScheme:
    return TierScheme((MEMBER, SILVER, GOLD), TierRules(**rules))  # type: ignore[arg-type]


def holding(tier: str, **more: object) -> t.MemberTier:
    return replace(t.starting("mem_1", scheme(), NOW), growth_tier=tier, tier=tier, **more)  # type: ignore[arg-type]


def test_growth_earns_the_highest_tier_whose_threshold_it_reaches():
    s = scheme()
    assert [s.earned(g).code for g in (0, 999, 1_000, 2_999, 3_000, 10**6)] == [
        "member", "member", "silver", "silver", "gold", "gold",
    ]  # fmt: skip


def test_a_purchase_that_crosses_the_threshold_upgrades_at_once():
    held, change = t.after_purchase(scheme(), holding("member"), growth=1_020, purchase_id="pur_1", at=NOW)
    assert change == t.TierChange("mem_1", "member", "silver", TierReason.PURCHASE, "pur_1")
    assert (held.tier, held.growth_tier, held.promoted_by, held.since) == ("silver", "silver", "pur_1", NOW)


def test_a_purchase_below_the_next_threshold_changes_nothing():
    before = holding("silver")
    assert t.after_purchase(scheme(), before, growth=2_999, purchase_id="pur_2", at=NOW) == (before, None)


def test_refunding_the_promoting_purchase_downgrades_under_that_policy():
    held = holding("silver", promoted_by="pur_1")
    after, change = t.after_refund(scheme(), held, growth=400, purchase_id="pur_1", at=NOW)
    assert change is not None
    assert (change.to_tier, change.reason) == ("member", TierReason.REFUND)
    assert after.tier == "member"


def test_refunding_another_purchase_or_keeping_enough_growth_keeps_the_tier():
    held = holding("silver", promoted_by="pur_1")
    assert t.after_refund(scheme(), held, growth=400, purchase_id="pur_old", at=NOW)[1] is None
    assert t.after_refund(scheme(), held, growth=1_200, purchase_id="pur_1", at=NOW)[1] is None


def test_under_next_evaluation_a_refund_never_moves_the_tier():
    held = holding("silver", promoted_by="pur_1")
    policy = scheme(refund_policy=RefundPolicy.NEXT_EVALUATION)
    assert t.after_refund(policy, held, growth=0, purchase_id="pur_1", at=NOW)[1] is None


def test_evaluation_keeps_the_tier_while_retention_holds():
    s = scheme(downgrade=Downgrade.EVALUATION)
    # Growth alone earns only the base tier, but 650 in the window keeps silver (保级 600).
    assert t.evaluate(s, holding("silver"), growth=650, window_growth=650, at=NOW)[1] is None


def test_evaluation_without_retention_downgrades_to_the_tier_the_window_still_keeps():
    s = scheme(downgrade=Downgrade.EVALUATION)
    _held, change = t.evaluate(s, holding("gold"), growth=900, window_growth=900, at=NOW)
    assert change is not None
    assert (change.from_tier, change.to_tier) == ("gold", "silver")
    assert change.reason is TierReason.EVALUATION
    _, change = t.evaluate(s, holding("gold"), growth=100, window_growth=100, at=NOW)
    assert change is not None
    assert change.to_tier == "member"


def test_a_grace_period_delays_the_downgrade():
    s = scheme(downgrade=Downgrade.EVALUATION, grace_days=30)
    first, change = t.evaluate(s, holding("silver"), growth=0, window_growth=0, at=NOW)
    assert change is None
    assert first.grace_until == NOW + timedelta(days=30)
    again, change = t.evaluate(s, first, growth=0, window_growth=0, at=NOW + timedelta(days=10))
    assert change is None
    assert again == first
    _, change = t.evaluate(s, first, growth=0, window_growth=0, at=NOW + timedelta(days=30))
    assert change is not None
    assert change.to_tier == "member"


def test_meeting_retention_during_grace_clears_it():
    s = scheme(downgrade=Downgrade.EVALUATION, grace_days=30)
    graced = holding("silver", grace_until=NOW + timedelta(days=5))
    held, change = t.evaluate(s, graced, growth=700, window_growth=700, at=NOW)
    assert change is None
    assert held.grace_until is None


def test_never_downgrade_keeps_the_tier_and_evaluation_still_upgrades():
    s = scheme(downgrade=Downgrade.NEVER)
    assert t.evaluate(s, holding("gold"), growth=0, window_growth=0, at=NOW)[1] is None
    _, change = t.evaluate(s, holding("member"), growth=3_100, window_growth=3_100, at=NOW)
    assert change is not None
    assert change.to_tier == "gold"


def test_evaluation_is_safe_to_run_again():
    s = scheme(downgrade=Downgrade.EVALUATION)
    once, _ = t.evaluate(s, holding("gold"), growth=900, window_growth=900, at=NOW)
    assert t.evaluate(s, once, growth=900, window_growth=900, at=NOW) == (once, None)


def test_a_manual_floor_holds_until_its_end_then_the_growth_tier_returns():
    s = scheme(downgrade=Downgrade.EVALUATION)
    ends = NOW + timedelta(days=90)
    floored, change = t.set_floor(s, holding("member"), tier="gold", ends_at=ends, reason="补偿投诉", at=NOW)
    assert change is not None
    assert (change.to_tier, change.reason, change.note) == (
        "gold",
        TierReason.MANUAL,
        "补偿投诉",
    )
    # Before the end, evaluation leaves the floor alone.
    assert t.evaluate(s, floored, growth=1_100, window_growth=1_100, at=ends - timedelta(days=1))[1] is None
    after, change = t.evaluate(s, floored, growth=1_100, window_growth=1_100, at=ends)
    assert change is not None
    assert (change.to_tier, change.reason) == ("silver", TierReason.FLOOR_ENDED)
    assert after.floor_tier is None


def test_a_floor_needs_a_known_tier_a_future_end_and_a_reason():
    held = holding("member")
    with pytest.raises(TierSchemeInvalid):
        t.set_floor(scheme(), held, tier="platinum", ends_at=NOW + timedelta(days=1), reason="x", at=NOW)
    with pytest.raises(TierSchemeInvalid):
        t.set_floor(scheme(), held, tier="gold", ends_at=NOW, reason="x", at=NOW)
    with pytest.raises(TierSchemeInvalid):
        t.set_floor(scheme(), held, tier="gold", ends_at=NOW + timedelta(days=1), reason=" ", at=NOW)


def test_a_paid_cards_tier_lasts_while_the_card_is_valid():
    s = scheme()
    ends = NOW + timedelta(days=30)
    carded, change = t.grant_card(s, holding("silver"), tier="gold", ends_at=ends, reference="card_1", at=NOW)
    assert change is not None
    assert (change.to_tier, change.reason) == ("gold", TierReason.PAID_CARD)
    _, change = t.evaluate(s, carded, growth=1_500, window_growth=1_500, at=ends)
    assert change is not None
    assert (change.to_tier, change.reason) == ("silver", TierReason.CARD_ENDED)


def test_the_card_shows_growth_to_the_next_tier_and_what_keeps_this_one():
    s = scheme(downgrade=Downgrade.EVALUATION)
    progress = t.progress(s, holding("silver"), growth=2_680, window_growth=450, window_ends=NOW)
    assert (progress.next_tier and progress.next_tier.code, progress.to_next) == ("gold", 320)
    assert progress.keep_needed == 150
    top = t.progress(s, holding("gold"), growth=5_000, window_growth=5_000, window_ends=None)
    assert (top.next_tier, top.to_next, top.keep_needed) == (None, 0, 0)


@pytest.mark.parametrize(
    ("tiers", "problem"),
    [
        ((replace(MEMBER, threshold=10), SILVER), "threshold must be 0"),
        ((MEMBER, replace(SILVER, threshold=0)), "above member's"),
        ((MEMBER, replace(SILVER, code="member")), "codes must be unique"),
        ((MEMBER, replace(SILVER, colour="silver")), "#rrggbb"),
        ((MEMBER, replace(SILVER, member_discount=Decimal("1.5"))), "discount"),
        ((MEMBER, replace(SILVER, points_multiplier=Decimal("0.5"))), "multipliers"),
    ],
)
def test_a_design_that_makes_no_sense_is_refused(tiers, problem):
    with pytest.raises(TierSchemeInvalid) as raised:
        TierScheme(tiers)
    assert problem in raised.value.message


def test_a_design_round_trips_through_json_exactly():
    s = scheme(downgrade=Downgrade.EVALUATION, grace_days=14, window_days=180)
    assert tier_codec.scheme_from_dict(tier_codec.scheme_to_dict(s)) == s


def test_malformed_json_is_a_tier_design_error():
    with pytest.raises(TierSchemeInvalid):
        tier_codec.scheme_from_dict(
            {"tiers": [{"code": "member", "name": "x", "rank": 0, "threshold": "abc"}]}
        )
