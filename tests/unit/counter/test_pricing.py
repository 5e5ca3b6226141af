"""Pricing at the counter: discount for members, then points, then cash."""

from decimal import Decimal

import pytest

from guildcard.counter.domain.amounts import CategoryLine
from guildcard.counter.domain.errors import PointsExceedBalance, PointsExceedCap, PointsNotWholeStep
from guildcard.counter.domain.pricing import cash_lines, price, require_points_allowed
from guildcard.loyalty.domain import LoyaltySettings

SETTINGS = LoyaltySettings()  # 100 points = ¥1, at most half a bill


def test_a_member_pays_the_discounted_bill_partly_with_points():
    p = price(12800, member_discount=Decimal("0.95"), is_member=True, balance_points=5000,
              requested_points=2000, settings=SETTINGS)  # fmt: skip
    assert (p.discount_fen, p.payable_fen, p.points_used, p.points_value_fen, p.cash_fen) == (
        640, 12160, 2000, 2000, 10160,
    )  # fmt: skip
    assert [line.kind for line in p.lines] == ["bill", "member_discount", "points", "cash"]


def test_a_guest_gets_no_member_discount():
    p = price(12800, member_discount=Decimal("0.95"), is_member=False, balance_points=0,
              requested_points=0, settings=SETTINGS)  # fmt: skip
    assert (p.discount_fen, p.cash_fen) == (0, 12800)


@pytest.mark.parametrize(
    ("balance", "requested", "error"),
    [(100, 101, PointsExceedBalance), (10**6, 6401, PointsExceedCap)],
)
def test_a_commit_refuses_what_the_quote_had_to_cut(balance, requested, error):
    p = price(12800, member_discount=Decimal(1), is_member=True, balance_points=balance,
              requested_points=requested, settings=SETTINGS)  # fmt: skip
    with pytest.raises(error):
        require_points_allowed(p, requested)


def test_points_pay_only_in_whole_steps():
    settings = LoyaltySettings(redeem_points_per_yuan=1000)  # 10 points per fen
    p = price(10000, member_discount=Decimal(1), is_member=True, balance_points=10**6,
              requested_points=15, settings=settings)  # fmt: skip
    with pytest.raises(PointsNotWholeStep):
        require_points_allowed(p, 15)
    require_points_allowed(p, 10)


def test_category_lines_shrink_with_the_cash_part():
    lines = (CategoryLine("drinks", 3000), CategoryLine("food", 7000))
    assert cash_lines(lines, bill_fen=10000, cash_fen=5001) == (
        CategoryLine("drinks", 1500), CategoryLine("food", 3500),
    )  # fmt: skip
