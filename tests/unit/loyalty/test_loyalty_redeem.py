"""Paying part of a bill with points."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from guildcard.kernel.points import points_to_fen
from guildcard.loyalty.domain import LoyaltySettings, redeem_quote

DEFAULTS = LoyaltySettings()  # 100 points = ¥1, at most 50% of a bill


def test_100_points_pay_one_yuan():
    quote = redeem_quote(10_000, 5_000, 100, DEFAULTS)
    assert (quote.points, quote.fen, quote.cash_fen) == (100, 100, 9_900)
    assert quote.reasons == ()


def test_points_pay_at_most_half_of_the_bill():
    quote = redeem_quote(12_800, 100_000, 10_000, DEFAULTS)
    assert (quote.points, quote.fen, quote.cash_fen) == (6_400, 6_400, 6_400)
    assert quote.max_points == 6_400
    assert quote.codes == ["max_share"]
    assert "50%" in quote.reasons[0].label_en


def test_without_a_request_the_quote_offers_the_most_allowed():
    quote = redeem_quote(12_800, 3_000, None, DEFAULTS)
    assert (quote.points, quote.fen, quote.max_points) == (3_000, 3_000, 3_000)
    assert quote.reasons == ()


def test_the_balance_limits_what_points_pay():
    quote = redeem_quote(12_800, 250, 1_000, DEFAULTS)
    assert (quote.points, quote.fen) == (250, 250)
    assert quote.codes == ["balance"]
    assert "250" in quote.reasons[0].label_zh


def test_below_the_minimum_order_points_cannot_pay():
    settings_ = LoyaltySettings(min_order_for_redeem_fen=5_000)
    quote = redeem_quote(4_999, 10_000, 1_000, settings_)
    assert (quote.points, quote.fen, quote.max_points) == (0, 0, 0)
    assert quote.codes == ["minimum_order_not_met"]
    assert "¥50.00" in quote.reasons[0].label_zh
    assert redeem_quote(5_000, 10_000, 1_000, settings_).points == 1_000


def test_at_1000_points_a_yuan_only_whole_tens_of_points_pay():
    settings_ = LoyaltySettings(redeem_points_per_yuan=1_000)  # seed 002: 1000积分等于1元
    quote = redeem_quote(10_000, 100_000, 1_005, settings_)
    assert (quote.points, quote.fen) == (1_000, 100)
    assert quote.codes == ["step"]
    assert redeem_quote(10_000, 100_000, 9, settings_).points == 0


def test_at_50_points_a_yuan_a_point_pays_two_fen_and_odd_fen_stay_cash():
    settings_ = LoyaltySettings(redeem_points_per_yuan=50)
    quote = redeem_quote(101, 1_000, None, settings_)  # half of ¥1.01 is 50 fen: 25 points
    assert (quote.points, quote.fen) == (25, 50)


def test_points_may_pay_the_whole_bill_when_the_alliance_allows_it():
    settings_ = LoyaltySettings(max_redeem_share=Decimal(1))
    assert redeem_quote(3_000, 10_000, None, settings_).fen == 3_000


@settings(max_examples=300, deadline=None)
@given(
    bill=st.integers(min_value=0, max_value=1_000_000),
    balance=st.integers(min_value=0, max_value=1_000_000),
    requested=st.none() | st.integers(min_value=0, max_value=1_000_000),
    ppy=st.sampled_from([1, 10, 50, 100, 150, 300, 1_000, 10_000]),
    share=st.decimals(min_value=0, max_value=1, places=2),
    minimum=st.integers(min_value=0, max_value=10_000),
)
def test_no_fraction_of_a_point_ever_pays_and_every_limit_holds(
    *, bill, balance, requested, ppy, share, minimum
):
    settings_ = LoyaltySettings(
        redeem_points_per_yuan=ppy, max_redeem_share=share, min_order_for_redeem_fen=minimum
    )
    quote = redeem_quote(bill, balance, requested, settings_)
    assert 0 <= quote.points <= balance
    assert requested is None or quote.points <= requested
    assert quote.fen <= bill * share
    # Exact exchange: these points are worth exactly these fen, not a fraction more.
    assert quote.points * 100 == quote.fen * ppy
    assert points_to_fen(quote.points, points_per_yuan=ppy) == quote.fen
    if bill < minimum:
        assert quote.points == 0
    if requested is not None and quote.points < requested:
        assert quote.reasons
