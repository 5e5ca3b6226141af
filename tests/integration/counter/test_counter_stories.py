"""The counter's stories, each on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.counter.conftest import (
    ALLIANCE,
    CINEMA,
    CINEMA_CASHIER,
    HOTPOT,
    HOTPOT_CASHIER,
    HOTPOT_OWNER,
    clean,
)

from guildcard.alliance.domain.errors import MerchantSuspended
from guildcard.counter.commands import MemberIdentity, PurchaseInput
from guildcard.counter.domain.errors import (
    InvalidAmount,
    OrderConflict,
    PointsExceedBalance,
    PointsExceedCap,
    PreviewStale,
    RefundConflict,
    RefundExceedsPaid,
    RefundNeedsManager,
)
from guildcard.counter.domain.receipts import MemberShown
from guildcard.ledger import chart
from guildcard.ledger.domain.errors import NegativeLimitExceeded
from guildcard.members.errors import LookupNotAllowed, MemberCodeInvalid


def test_a_member_earns_at_the_hot_pot_restaurant_and_spends_at_the_cinema(counter):
    dinner = counter.buy(HOTPOT_CASHIER, "HP-1001", 20000).receipt
    # ¥200 less the 5% member discount is ¥190 in cash: 190 points and 190 growth.
    assert (dinner.discount_fen, dinner.cash_fen, dinner.points_earned, dinner.growth) == (
        1000,
        19000,
        190,
        190,
    )
    assert dinner.member == MemberShown("138****1234", is_member=True, tier_name=None)
    assert [line.code for line in dinner.earn_lines] == ["base"]
    assert counter.balance().available == 190

    movie = counter.buy(CINEMA_CASHIER, "CN-77", 3000, points=150).receipt
    # 150 points pay ¥1.50; the cinema earns 2 points per yuan on the ¥28.50 in cash.
    assert (movie.points_used, movie.points_value_fen, movie.cash_fen, movie.points_earned) == (
        150,
        150,
        2850,
        57,
    )
    assert counter.balance().available == 190 - 150 + 57
    flows = {(f.issuer, f.spent_at): f.points for f in counter.ledger.queries(ALLIANCE).flows()}
    assert flows == {(chart.merchant_issued(HOTPOT), chart.merchant_redeemed(CINEMA)): 150}
    clean(counter)


def test_the_hot_pot_refunds_after_the_points_were_spent_at_the_cinema_and_the_balance_goes_negative(counter):
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    counter.buy(CINEMA_CASHIER, "CN-77", 3000, points=150)
    # The cashier cannot take the balance below zero: that waits for the owner or a manager.
    with pytest.raises(RefundNeedsManager):
        counter.refund(HOTPOT_CASHIER, "HP-1001", "RF-1", 19000)
    assert counter.balance().available == 97  # nothing changed, and the number was not used up
    refund = counter.refund(HOTPOT_OWNER, "HP-1001", "RF-1", 19000).receipt
    assert (refund.points_clawed_back, refund.growth_reversed, refund.purchase_status) == (
        190,
        190,
        "refunded",
    )
    balance = counter.balance()
    assert (balance.available, balance.debt) == (0, 190 - 97)  # 97 left, 190 taken back: -93 within -200
    assert balance.growth == 28  # the cinema visit's growth stays
    # The next purchase repays the debt first.
    counter.buy(HOTPOT_CASHIER, "HP-1002", 20000)
    assert counter.balance().available == 190 - 93
    clean(counter)


def test_a_cashier_s_refund_the_balance_covers_needs_no_approval(counter):
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    counter.buy(CINEMA_CASHIER, "CN-77", 3000, points=150)
    # 95 points clawed back from the 97 left: the balance stays at or above zero.
    assert counter.refund(HOTPOT_CASHIER, "HP-1001", "RF-1", 9500).receipt.points_clawed_back == 95
    assert (counter.balance().available, counter.balance().debt) == (2, 0)
    clean(counter)


def test_an_alliance_that_blocks_negative_balances_refuses_that_refund_and_changes_nothing(strict_counter):
    counter = strict_counter
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    counter.buy(CINEMA_CASHIER, "CN-77", 3000, points=150)
    with pytest.raises(NegativeLimitExceeded):
        counter.refund(HOTPOT_CASHIER, "HP-1001", "RF-1", 19000)
    assert counter.balance().available == 97
    # A smaller refund that the balance covers still goes through, and the number was not used up.
    assert counter.refund(HOTPOT_CASHIER, "HP-1001", "RF-1", 9500).receipt.points_clawed_back == 95
    clean(counter)


def test_a_refund_at_the_cinema_gives_the_points_back_with_their_original_expiry(counter):
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    lots_before = {lot.id: lot.expires_at for lot in counter.ledger.queries(ALLIANCE).lots("mem_lily")}
    counter.buy(CINEMA_CASHIER, "CN-77", 3000, points=150)
    counter.clock.advance(timedelta(days=3))
    refund = counter.refund(CINEMA_CASHIER, "CN-77", "RF-9", 3000).receipt
    assert (refund.points_restored, refund.points_clawed_back, refund.cash_fen) == (150, 57, 2850)
    lots = {
        lot.id: (lot.remaining, lot.expires_at) for lot in counter.ledger.queries(ALLIANCE).lots("mem_lily")
    }
    (hotpot_lot,) = lots_before
    assert lots[hotpot_lot] == (190, lots_before[hotpot_lot])
    assert counter.balance().available == 190
    clean(counter)


def test_restored_points_that_expired_meanwhile_go_to_breakage(counter):
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    counter.buy(CINEMA_CASHIER, "CN-77", 3000, points=150)
    counter.clock.advance(timedelta(days=40))  # the hot-pot points (30 days) have expired
    refund = counter.refund(CINEMA_CASHIER, "CN-77", "RF-9", 3000).receipt
    assert (refund.points_restored, refund.points_to_breakage) == (150, 150)
    assert counter.ledger.queries(ALLIANCE).account_balance(chart.PLATFORM_BREAKAGE) == 150
    clean(counter)


def test_partial_refunds_add_up_to_the_whole_and_no_further(counter):
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    counter.buy(HOTPOT_CASHIER, "HP-1002", 10000, points=100)  # ¥95 payable: ¥1 in points, ¥94 cash
    shares = [counter.refund(HOTPOT_CASHIER, "HP-1002", f"RF-{i}", 3000).receipt for i in range(3)]
    assert [s.points_restored for s in shares] == [31, 32, 31]
    with pytest.raises(RefundExceedsPaid):
        counter.refund(HOTPOT_CASHIER, "HP-1002", "RF-3", 501)
    last = counter.refund(HOTPOT_CASHIER, "HP-1002", "RF-3", 500).receipt
    assert last.purchase_status == "refunded"
    restored = sum(s.points_restored for s in [*shares, last])
    clawed = sum(s.points_clawed_back for s in [*shares, last])
    assert (restored, clawed) == (100, 94)
    assert counter.balance().available == 190
    clean(counter)


def test_each_refund_is_idempotent_on_its_number(counter):
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    first = counter.refund(HOTPOT_CASHIER, "HP-1001", "RF-1", 5000)
    again = counter.refund(HOTPOT_CASHIER, "HP-1001", "RF-1", 5000)
    assert again.replayed
    assert again.receipt == first.receipt
    with pytest.raises(RefundConflict):  # a natural key's conflict, as an order number's is
        counter.refund(HOTPOT_CASHIER, "HP-1001", "RF-1", 6000)
    assert counter.balance().available == 190 - 50
    clean(counter)


def test_a_retried_commit_returns_the_same_receipt_and_another_body_conflicts(counter):
    first = counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    again = counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)  # the POS retried, with a fresh code
    assert again.replayed
    assert again.receipt.purchase_id == first.receipt.purchase_id
    with pytest.raises(OrderConflict):
        counter.buy(HOTPOT_CASHIER, "HP-1001", 20100)
    assert counter.balance().available == 190
    clean(counter)


def test_the_preview_explains_and_changes_nothing_and_the_commit_notices_a_moved_balance(counter):
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    code = counter.code()
    request = PurchaseInput("st_cinema_1", "CN-1", 3000, MemberIdentity(member_code=code), points_to_use=None)
    preview = counter.service.preview(CINEMA_CASHIER, request)
    # Points may pay at most half of ¥30: 1,500 points, but Lily has 190.
    assert (preview.redeem.max_points, preview.balance, preview.points_earned) == (190, 190, 56)
    assert preview.price_lines[-1].kind == "cash"
    assert counter.balance().available == 190
    committed = counter.service.commit(
        CINEMA_CASHIER,
        PurchaseInput(
            "st_cinema_1", "CN-1", 3000, MemberIdentity(member_code=code), 190, (), preview.preview_token
        ),
    )  # the code still works: the preview did not use it up
    assert committed.receipt.points_used == 190
    stale = counter.service.preview(
        CINEMA_CASHIER,
        PurchaseInput(
            "st_cinema_1", "CN-2", 3000, MemberIdentity(member_code=counter.code()), points_to_use=0
        ),
    )
    counter.buy(HOTPOT_CASHIER, "HP-1002", 1000)  # the balance moves
    with pytest.raises(PreviewStale):
        counter.service.commit(
            CINEMA_CASHIER,
            PurchaseInput(
                "st_cinema_1",
                "CN-2",
                3000,
                MemberIdentity(member_code=counter.code()),
                0,
                (),
                stale.preview_token,
            ),
        )
    clean(counter)


def test_points_value_share_and_minimum_order_are_the_alliance_s(counter):
    counter.settings(redeem_points_per_yuan=1000, max_redeem_share="0.2", min_order_for_redeem_fen=5000)
    counter.buy(HOTPOT_CASHIER, "HP-1001", 200000)  # 1,900 points
    counter.ledger.award(
        ALLIANCE, member_id="mem_lily", issuer=chart.PLATFORM_GRANTS, amount=50000, idempotency_key="gift"
    )
    with pytest.raises(PointsExceedCap):
        counter.buy(CINEMA_CASHIER, "CN-1", 4000, points=100)  # below the ¥50 minimum
    with pytest.raises(PointsExceedCap):
        counter.buy(CINEMA_CASHIER, "CN-2", 10000, points=20010)  # more than 20% of ¥100
    with pytest.raises(PointsExceedBalance):
        counter.buy(CINEMA_CASHIER, "CN-3", 100000, points=60000)  # ¥60 of a ¥200 cap, 51,900 points held
    ok = counter.buy(CINEMA_CASHIER, "CN-4", 10000, points=20000).receipt
    assert (ok.points_value_fen, ok.cash_fen) == (2000, 8000)
    clean(counter)


def test_bad_input_is_refused_with_a_clear_error(counter):
    with pytest.raises(InvalidAmount):
        counter.buy(HOTPOT_CASHIER, "HP-1", 0)
    with pytest.raises(InvalidAmount):
        counter.buy(HOTPOT_CASHIER, "HP-2", 10**12)
    expired = counter.code()
    counter.clock.advance(timedelta(minutes=2))
    with pytest.raises(MemberCodeInvalid):
        counter.service.commit(
            HOTPOT_CASHIER, PurchaseInput("st_hotpot_1", "HP-3", 1000, MemberIdentity(member_code=expired))
        )
    with pytest.raises(LookupNotAllowed):
        counter.service.commit(
            HOTPOT_CASHIER, PurchaseInput("st_hotpot_1", "HP-4", 1000, MemberIdentity(phone="13900005678"))
        )
    counter.ports.merchants.suspend(ALLIANCE, HOTPOT)
    with pytest.raises(MerchantSuspended):
        counter.buy(HOTPOT_CASHIER, "HP-5", 1000)
    # Nothing was recorded: the order numbers are still free.
    counter.ports.merchants.suspend(ALLIANCE, HOTPOT, suspended=False)
    assert counter.buy(HOTPOT_CASHIER, "HP-3", 1000).replayed is False
    clean(counter)


def test_a_consented_phone_number_finds_the_member(counter):
    receipt = counter.service.commit(
        HOTPOT_CASHIER, PurchaseInput("st_hotpot_1", "HP-1", 10000, MemberIdentity(phone="13800001234"))
    ).receipt
    assert receipt.member.display == "138****1234"
    assert receipt.points_earned == 95
