"""Stored-value rules: the alliance's spend order, draws from the oldest top-up, proportional
refunds, and the unused principal a member gets back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guildcard.loyalty.domain import wallet as w
from guildcard.loyalty.domain.errors import WalletInvalid

BALANCE = w.WalletBalance(principal=50_000, bonus=5_000)


def test_principal_first_spends_the_principal_then_the_bonus():
    assert w.split(BALANCE, 52_000, w.SpendOrder.PRINCIPAL_FIRST) == (50_000, 2_000)
    assert w.split(BALANCE, 3_000, w.SpendOrder.PRINCIPAL_FIRST) == (3_000, 0)


def test_bonus_first_spends_the_bonus_then_the_principal():
    assert w.split(BALANCE, 6_000, w.SpendOrder.BONUS_FIRST) == (1_000, 5_000)


def test_a_split_never_exceeds_the_balance():
    assert w.split(BALANCE, 99_000, w.SpendOrder.PRINCIPAL_FIRST) == (50_000, 5_000)


def test_draws_take_the_oldest_top_up_first():
    lots = [w.Lot("a", 1_000, 100), w.Lot("b", 5_000, 500)]
    assert w.plan_draws(lots, 3_000, 200) == [w.Draw("a", 1_000, 100), w.Draw("b", 2_000, 100)]
    with pytest.raises(WalletInvalid):
        w.plan_draws(lots, 7_000, 0)


def test_a_refund_gives_back_each_part_in_proportion():
    assert w.proportional((50_000, 2_000), refund_fen=26_000, payable_fen=52_000) == (25_000, 1_000)
    assert w.proportional((50_000, 2_000), refund_fen=52_000, payable_fen=52_000) == (50_000, 2_000)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 10**6), st.data())
def test_refunds_never_give_back_more_than_was_paid(principal, bonus, payable, data):
    refund = data.draw(st.integers(0, payable))
    back_p, back_b = w.proportional((principal, bonus), refund_fen=refund, payable_fen=payable)
    assert 0 <= back_p <= principal
    assert 0 <= back_b <= bonus


def test_the_unused_principal_comes_back_less_the_bonus_already_used():
    # ¥500 + ¥50 bonus; ¥250 principal and ¥40 bonus left: ¥10 of bonus was used.
    assert w.unused_principal(principal=50_000, bonus=5_000, principal_left=25_000, bonus_left=4_000) == (
        24_000,
        4_000,
    )
    assert w.unused_principal(principal=50_000, bonus=5_000, principal_left=0, bonus_left=0) == (0, 0)


def test_a_package_pays_something_and_has_a_name():
    with pytest.raises(WalletInvalid):
        w.TopUpPackage("p", "充值", 0, 0)
    with pytest.raises(WalletInvalid):
        w.TopUpPackage("p", " ", 100, 0)
