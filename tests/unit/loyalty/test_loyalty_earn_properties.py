"""Properties of earn evaluation that hold for any purchase, rules and campaigns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from guildcard.loyalty.domain import (
    Campaign,
    CategoryLine,
    EarnTerms,
    LoyaltySettings,
    MemberStanding,
    MerchantEarnRules,
    Purchase,
    evaluate_earn,
)

START = datetime(2026, 11, 23, tzinfo=UTC)

rates = st.decimals(min_value=0, max_value=10, places=2)
multipliers = st.decimals(min_value=0, max_value=5, places=2)
caps = st.none() | st.integers(min_value=0, max_value=2_000)
moments = st.integers(min_value=0, max_value=14 * 24 * 60).map(lambda m: START + timedelta(minutes=m))
campaigns = st.lists(
    st.builds(
        Campaign,
        campaign_id=st.sampled_from(["cmp_a", "cmp_b", "cmp_c"]),
        name=st.just("活动"),
        multiplier=st.decimals(min_value="1.01", max_value=10, places=2),
        weekdays=st.frozensets(st.integers(min_value=1, max_value=7), max_size=3),
        members_only=st.booleans(),
    ),
    max_size=3,
)


@st.composite
def scenarios(draw, *, with_caps=True):
    amount = draw(st.integers(min_value=0, max_value=2_000_000))
    drinks = draw(st.integers(min_value=0, max_value=amount))
    rules = MerchantEarnRules(
        merchant_id="mer_1",
        category_multipliers={"drinks": draw(multipliers)},
        transaction_cap=draw(caps) if with_caps else None,
        daily_cap=draw(caps) if with_caps else None,
        min_amount_fen=draw(st.integers(min_value=0, max_value=5_000)),
    )
    return {
        "amount": amount,
        "drinks": drinks,
        "at": draw(moments),
        "member": MemberStanding(is_member=draw(st.booleans()), tier_multiplier=draw(multipliers)),
        "terms": EarnTerms(merchant_id="mer_1", points_per_yuan=draw(rates), trade_category="catering"),
        "rules": rules,
        "campaigns": draw(campaigns),
        "settings": LoyaltySettings(
            only_members_earn=draw(st.booleans()),
            transaction_cap=draw(caps) if with_caps else None,
            daily_cap=draw(caps) if with_caps else None,
        ),
        "earned_today": draw(st.integers(min_value=0, max_value=3_000)),
    }


def run(s, amount=None):
    amount = s["amount"] if amount is None else amount
    drinks = min(s["drinks"], amount)
    return evaluate_earn(
        Purchase(amount_fen=amount, occurred_at=s["at"], lines=(CategoryLine("drinks", drinks),)),
        member=s["member"],
        terms=s["terms"],
        rules=s["rules"],
        campaigns=s["campaigns"],
        settings=s["settings"],
        earned_today=s["earned_today"],
    )


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_points_are_never_negative_and_the_lines_sum_to_the_total(s):
    quote = run(s)
    assert quote.points >= 0
    assert sum(line.points for line in quote.lines) == quote.points
    assert quote.growth >= 0


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_caps_are_never_exceeded(s):
    quote = run(s)
    for cap in (s["rules"].transaction_cap, s["settings"].transaction_cap):
        if cap is not None:
            assert quote.points <= cap
    for cap in (s["rules"].daily_cap, s["settings"].daily_cap):
        if cap is not None:
            assert quote.points + s["earned_today"] <= max(cap, s["earned_today"])


@settings(max_examples=200, deadline=None)
@given(scenarios(with_caps=False), st.integers(min_value=0, max_value=100_000))
def test_without_caps_a_bigger_bill_never_earns_less(s, extra):
    smaller, bigger = run(s), run(s, amount=s["amount"] + extra)
    assert bigger.points >= smaller.points
    assert bigger.growth >= smaller.growth
