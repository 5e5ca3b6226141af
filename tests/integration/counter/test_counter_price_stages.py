"""The price stages beyond points: a tier's discount and multiplier, a coupon, stored value.

The tier, coupon and wallet desks are the in-memory fakes here (their contexts test their own
rules); what is tested is the counter's order of stages, what the receipt and the preview
show, what a commit refuses, and what a refund gives back.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.integration.counter.conftest import CINEMA_CASHIER, HOTPOT_CASHIER, clean

from guildcard.counter.commands import MemberIdentity, PurchaseInput, RefundInput
from guildcard.counter.domain.errors import (
    CouponExcludesPoints,
    CouponNotUsable,
    WalletExceedsBalance,
    WalletExceedsBill,
)
from guildcard.counter.domain.stages import TierBenefits, WalletBalance

GOLD = TierBenefits("gold", "金卡", points_multiplier=Decimal(2), discount_rate=Decimal("0.9"))


def purchase(counter, cashier, order_no, amount_fen, **choices) -> PurchaseInput:
    store = next(iter(cashier.store_ids))
    member = MemberIdentity(member_code=counter.code())
    return PurchaseInput(store, order_no, amount_fen, member, choices.pop("points", 0), **choices)


def kinds(receipt) -> list[str]:
    return [line.kind for line in receipt.price_lines]


def test_a_tier_discount_replaces_the_member_discount_and_its_multiplier_doubles_the_points(counter):
    plain = counter.service.commit(HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "T-0", 10000)).receipt
    assert kinds(plain) == ["bill", "member_discount", "cash"]
    assert plain.discount_fen == 500
    counter.ports.tiers.benefits_of["mem_lily"] = GOLD
    gold = counter.service.commit(HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "T-1", 10000)).receipt
    assert kinds(gold) == ["bill", "tier_discount", "cash"]
    assert gold.price_lines[1].label_zh == "金卡折扣 10%"
    assert (gold.discount_fen, gold.cash_fen) == (1000, 9000)
    assert gold.member.tier_name == "金卡"
    assert gold.points_earned == 2 * plain.points_earned * 9000 // 9500
    clean(counter)


def test_the_purchase_that_crosses_a_threshold_shows_the_new_tier_on_its_receipt(counter):
    counter.ports.tiers.upgrade_at, counter.ports.tiers.upgrade_to = 100, GOLD
    first = counter.service.commit(HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "U-1", 5000)).receipt
    assert first.tier_change is None
    assert first.growth < 100
    second = counter.service.commit(HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "U-2", 8000)).receipt
    assert second.tier_change is not None
    assert (second.tier_change.to_tier, second.tier_change.reason) == ("gold", "purchase")
    replay = counter.service.commit(HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "U-2", 8000))
    assert replay.replayed
    assert replay.receipt.tier_change == second.tier_change


def test_a_coupon_is_offered_judged_used_once_and_comes_back_with_a_full_refund(counter):
    counter.ports.coupons.add("cpn_1", "mem_lily", "满50减20", 2000, threshold_fen=5000)
    small = counter.service.preview(HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "C-0", 3000))
    assert [(o.coupon_id, o.usable, o.reason) for o in small.coupons] == [("cpn_1", False, "below_threshold")]
    big = counter.service.preview(
        HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "C-1", 10000, coupon_id="cpn_1")
    )
    assert big.coupons[0].usable
    assert kinds(big) == ["bill", "member_discount", "coupon", "cash"]
    assert (big.coupon_fen, big.payable_fen) == (2000, 7500)
    receipt = counter.service.commit(
        HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "C-1", 10000, coupon_id="cpn_1")
    ).receipt
    assert (receipt.coupon_id, receipt.coupon_title, receipt.cash_fen) == ("cpn_1", "满50减20", 7500)
    with pytest.raises(CouponNotUsable):
        counter.service.commit(
            HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "C-2", 10000, coupon_id="cpn_1")
        )
    refund = counter.service.refund(HOTPOT_CASHIER, RefundInput("st_hotpot_1", "C-1", "R-C-1", 7500)).receipt
    assert refund.coupon_returned
    assert refund.cash_fen == 7500
    again = counter.service.commit(
        HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "C-3", 10000, coupon_id="cpn_1")
    ).receipt
    assert again.coupon_fen == 2000
    clean(counter)


def test_a_coupon_that_does_not_stack_refuses_points(counter):
    counter.ports.coupons.add("cpn_solo", "mem_lily", "代金券", 1000, stacks=False)
    counter.service.commit(HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "S-0", 50000))  # earns points
    with pytest.raises(CouponExcludesPoints):
        counter.service.commit(
            HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "S-1", 10000, coupon_id="cpn_solo", points=100)
        )
    preview = counter.service.preview(
        HOTPOT_CASHIER, purchase(counter, HOTPOT_CASHIER, "S-1", 10000, coupon_id="cpn_solo", points=None)
    )
    assert preview.points_used == 0
    assert preview.coupon_fen == 1000


def test_stored_value_pays_principal_first_earns_on_principal_and_a_refund_gives_back_its_share(counter):
    counter.ports.wallet.balances["mem_lily"] = WalletBalance(principal_fen=3000, bonus_fen=1000)
    preview = counter.service.preview(CINEMA_CASHIER, purchase(counter, CINEMA_CASHIER, "W-0", 10000))
    assert (preview.wallet_principal_balance_fen, preview.wallet_bonus_balance_fen) == (3000, 1000)
    receipt = counter.service.commit(
        CINEMA_CASHIER, purchase(counter, CINEMA_CASHIER, "W-1", 10000, wallet_fen=3500)
    ).receipt
    assert kinds(receipt) == ["bill", "wallet", "cash"]
    assert (receipt.wallet_principal_fen, receipt.wallet_bonus_fen, receipt.cash_fen) == (3000, 500, 6500)
    assert receipt.points_earned == 190  # 2 points per yuan on cash ¥65 + principal ¥30; bonus earns none
    assert counter.ports.wallet.balances["mem_lily"] == WalletBalance(0, 500)
    refund = counter.service.refund(CINEMA_CASHIER, RefundInput("st_cinema_1", "W-1", "R-W-1", 5000)).receipt
    assert (refund.wallet_principal_fen, refund.wallet_bonus_fen, refund.cash_fen) == (1500, 250, 3250)
    assert counter.ports.wallet.balances["mem_lily"] == WalletBalance(1500, 750)
    clean(counter)


def test_stored_value_beyond_the_balance_or_the_bill_is_refused_not_cut(counter):
    counter.ports.wallet.balances["mem_lily"] = WalletBalance(principal_fen=3000)
    with pytest.raises(WalletExceedsBalance):
        counter.service.commit(
            CINEMA_CASHIER, purchase(counter, CINEMA_CASHIER, "X-1", 10000, wallet_fen=3001)
        )
    with pytest.raises(WalletExceedsBill):
        counter.service.commit(
            CINEMA_CASHIER, purchase(counter, CINEMA_CASHIER, "X-2", 2000, wallet_fen=2500)
        )
    assert counter.ports.wallet.payments == []
    preview = counter.service.preview(
        CINEMA_CASHIER, purchase(counter, CINEMA_CASHIER, "X-3", 2000, wallet_fen=2500)
    )
    assert (preview.wallet_fen, preview.cash_fen) == (2000, 0)
