"""Refunds reverse a purchase in proportion, exactly, however they are split."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guildcard.counter.domain.errors import InvalidAmount, RefundExceedsPaid
from guildcard.counter.domain.refunds import Settled, refund_share

# ¥128 hot pot: ¥20 paid with 2,000 points, ¥108 in cash, 108 points and 108 growth earned.
HOT_POT = Settled(
    payable_fen=12800, cash_fen=10800, points_used=2000, points_value_fen=2000, points_earned=108, growth=108
)


def test_a_whole_refund_reverses_everything():
    share = refund_share(HOT_POT, already_refunded_fen=0, refund_fen=12800)
    assert (share.cash_fen, share.points_restored, share.points_clawed_back, share.growth_reversed) == (
        10800,
        2000,
        108,
        108,
    )
    assert share.final


def test_half_a_refund_reverses_half():
    share = refund_share(HOT_POT, already_refunded_fen=0, refund_fen=6400)
    assert share.points_restored == 1000
    assert share.points_clawed_back == 54
    assert share.cash_fen == 5400
    assert not share.final


def test_a_refund_beyond_what_remains_is_refused():
    with pytest.raises(RefundExceedsPaid) as caught:
        refund_share(HOT_POT, already_refunded_fen=10000, refund_fen=2801)
    assert caught.value.details == {"refundable_fen": 2800, "requested_fen": 2801}


def test_a_zero_refund_is_refused():
    with pytest.raises(InvalidAmount):
        refund_share(HOT_POT, already_refunded_fen=0, refund_fen=0)


settled_purchases = st.builds(
    lambda payable, points_part, used_rate, earned, growth: Settled(
        payable_fen=payable,
        cash_fen=payable - points_part * payable // 100,
        points_used=(points_part * payable // 100) * used_rate,
        points_value_fen=points_part * payable // 100,
        points_earned=earned,
        growth=growth,
    ),
    st.integers(1, 10_000_000),
    st.integers(0, 100),
    st.integers(1, 10),
    st.integers(0, 100_000),
    st.integers(0, 100_000),
)


@given(settled=settled_purchases, cuts=st.lists(st.integers(1, 1000), min_size=1, max_size=8))
def test_partial_refunds_add_up_to_the_whole_exactly(settled, cuts):
    total = sum(cuts)
    amounts = [settled.payable_fen * c // total for c in cuts]
    amounts[-1] += settled.payable_fen - sum(amounts)
    amounts = [a for a in amounts if a > 0]
    refunded, shares = 0, []
    for amount in amounts:
        shares.append(refund_share(settled, already_refunded_fen=refunded, refund_fen=amount))
        refunded += amount
    assert sum(s.cash_fen for s in shares) == settled.cash_fen
    assert sum(s.points_restored for s in shares) == settled.points_used
    assert sum(s.points_clawed_back for s in shares) == settled.points_earned
    assert sum(s.growth_reversed for s in shares) == settled.growth
    assert all(
        min(s.cash_fen, s.points_restored, s.points_clawed_back, s.growth_reversed) >= 0 for s in shares
    )
    assert [s.final for s in shares] == [False] * (len(shares) - 1) + [True]
