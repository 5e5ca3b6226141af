from decimal import Decimal

import pytest

from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.money import apply_rate, fen, format_fen, parse_yuan
from guildcard.kernel.points import fen_to_points, points_to_fen


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12.34", 1234), ("¥12.34", 1234), ("￥0.05", 5), ("128", 12800), ("1,280.50", 128050)],
)
def test_parse_yuan_reads_what_a_cashier_types(text, expected):
    assert parse_yuan(text) == expected


@pytest.mark.parametrize("text", ["12.345", "abc", "", "NaN", "inf"])
def test_parse_yuan_refuses_what_is_not_money(text):
    with pytest.raises(InvalidInput):
        parse_yuan(text)


def test_money_is_shown_as_yuan_with_two_decimals():
    assert format_fen(1234) == "¥12.34"
    assert format_fen(5) == "¥0.05"
    assert format_fen(-250) == "-¥2.50"
    assert format_fen(12_800_000) == "¥128,000.00"


def test_fen_refuses_floats():
    with pytest.raises(TypeError):
        fen(12.34)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fen(True)


def test_rates_round_half_up_without_floats():
    assert apply_rate(12345, Decimal("0.05")) == 617  # 617.25
    assert apply_rate(10, Decimal("0.25")) == 3  # 2.5 -> 3


def test_points_pay_in_whole_fen_and_never_with_a_fraction_of_a_point():
    assert points_to_fen(1000, points_per_yuan=100) == 1000  # 1000 pts = ¥10
    assert points_to_fen(150, points_per_yuan=1000) == 15
    assert points_to_fen(1, points_per_yuan=1000) == 0
    assert fen_to_points(1, points_per_yuan=1000) == 10
    assert fen_to_points(5, points_per_yuan=300) == 15
    assert fen_to_points(1, points_per_yuan=300) == 3  # 3 pts pay 1 fen (rounded up)
