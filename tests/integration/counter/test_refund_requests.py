"""A cashier's refund of points the member already spent waits for the owner or a manager
(issue 12 item 6): the shortfall is shown, the decision records the refund, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from tests.integration.counter.conftest import (
    ALLIANCE,
    CINEMA_CASHIER,
    HOTPOT,
    HOTPOT_CASHIER,
    HOTPOT_OWNER,
    clean,
    staff,
)

from guildcard.counter.commands import RefundInput
from guildcard.counter.domain.errors import (
    CounterForbidden,
    RefundBelowZeroNotAllowed,
    RefundCashNotAllowed,
    RefundRequestNotPending,
)
from guildcard.counter.domain.receipts import RefundReceipt, RefundRequestReceipt
from guildcard.counter.domain.refunds import SettleAs
from guildcard.kernel.actors import Actor, ActorKind

HOTPOT_MANAGER = staff(HOTPOT, "st_hotpot_1", "manager")
POS = Actor(
    ActorKind.POS, "key_hotpot", ALLIANCE, merchant_id=HOTPOT, store_ids=frozenset({"st_hotpot_1"}),
    scopes=frozenset({"counter:write"}),
)  # fmt: skip


def _spent(counter) -> None:
    """190 points earned at the hot pot, 150 of them spent at the cinema: 97 left."""
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    counter.buy(CINEMA_CASHIER, "CN-77", 3000, points=150)


def _ask(counter, actor: Actor = HOTPOT_CASHIER, refund_no: str = "RF-1", amount_fen: int = 19000):
    return counter.service.refund_or_ask(actor, RefundInput("st_hotpot_1", "HP-1001", refund_no, amount_fen))


def test_a_cashier_s_refund_below_zero_becomes_a_request_the_manager_approves(counter):
    _spent(counter)
    asked = _ask(counter).receipt
    assert isinstance(asked, RefundRequestReceipt)
    # 190 points to take back, 97 in the balance: the member lacks 93.
    assert (asked.status, asked.shortfall_points, asked.below_zero_allowed) == ("pending", 93, True)
    assert counter.balance().available == 97  # nothing moved yet
    assert _ask(counter).replayed  # the cashier pressing again files nothing new
    queue = counter.service.refund_requests(HOTPOT_OWNER, merchant_id=HOTPOT)
    assert [r.request_id for r in queue] == [asked.request_id]
    assert counter.service.refund_requests(HOTPOT_CASHIER, merchant_id=HOTPOT) == []

    decided = counter.service.decide_refund(HOTPOT_MANAGER, asked.request_id, approve=True).receipt
    assert (decided.status, decided.settle_as) == ("approved", "below_zero")
    assert decided.refund is not None
    assert decided.refund.points_clawed_back == 190
    assert (counter.balance().available, counter.balance().debt) == (0, 93)
    assert counter.service.refund_requests(HOTPOT_OWNER, merchant_id=HOTPOT) == []
    # The cashier asking again with the same number now gets the refund itself.
    again = _ask(counter)
    assert isinstance(again.receipt, RefundReceipt)
    assert again.replayed
    assert again.receipt.refund_id == decided.refund.refund_id
    with pytest.raises(RefundRequestNotPending):
        counter.service.decide_refund(HOTPOT_OWNER, asked.request_id, approve=False)
    clean(counter)


def test_a_pos_key_gets_the_request_id_and_a_rejection_changes_nothing(counter):
    _spent(counter)
    asked = _ask(counter, POS).receipt
    assert isinstance(asked, RefundRequestReceipt)
    assert asked.shortfall_points == 93
    assert counter.service.refund_request(POS, asked.request_id).status == "pending"
    with pytest.raises(CounterForbidden):
        counter.service.decide_refund(HOTPOT_CASHIER, asked.request_id, approve=True)
    rejected = counter.service.decide_refund(HOTPOT_OWNER, asked.request_id, approve=False, note="问过顾客")
    assert (rejected.receipt.status, rejected.receipt.refund) == ("rejected", None)
    assert counter.service.refund_request(POS, asked.request_id).decision_note == "问过顾客"
    assert counter.balance().available == 97
    clean(counter)


def test_the_owner_refunds_the_cash_minus_the_spent_points_where_the_alliance_allows_it(strict_counter):
    counter = strict_counter
    counter.settings(refund_cash_for_spent_points=True)
    _spent(counter)
    asked = _ask(counter).receipt
    # 100 points pay ¥1: the 93 points the member lacks are worth ¥0.93.
    assert (asked.shortfall_points, asked.below_zero_allowed, asked.cash_option_fen) == (93, False, 93)
    with pytest.raises(RefundBelowZeroNotAllowed):
        counter.service.decide_refund(HOTPOT_OWNER, asked.request_id, approve=True)
    decided = counter.service.decide_refund(
        HOTPOT_OWNER, asked.request_id, approve=True, settle_as=SettleAs.CASH_MINUS_POINTS
    ).receipt
    refund = decided.refund
    assert refund is not None
    assert (refund.cash_fen, refund.cash_withheld_fen, refund.points_kept, refund.points_clawed_back) == (
        19000 - 93,
        93,
        93,
        97,
    )
    assert (counter.balance().available, counter.balance().debt) == (0, 0)
    clean(counter)


def test_without_the_alliance_s_leave_there_is_no_cash_minus_points(counter):
    _spent(counter)
    asked = _ask(counter).receipt
    assert asked.cash_option_fen is None
    with pytest.raises(RefundCashNotAllowed):
        counter.service.decide_refund(
            HOTPOT_OWNER, asked.request_id, approve=True, settle_as=SettleAs.CASH_MINUS_POINTS
        )
    clean(counter)
