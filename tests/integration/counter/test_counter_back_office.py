"""Pending points, members-only earning, caps, backfill, adjustments and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.integration.counter.conftest import (
    ALLIANCE,
    CINEMA_CASHIER,
    HOTPOT,
    HOTPOT_CASHIER,
    HOTPOT_OWNER,
    OPERATOR,
    clean,
    staff,
)

from guildcard.audit.tables import audit_log
from guildcard.counter.commands import AdjustmentInput, BackfillInput, MemberIdentity, PurchaseInput
from guildcard.counter.domain.errors import (
    BackfillNotPending,
    BackfillTooOld,
    CounterForbidden,
    DuplicateOrder,
    ReasonRequired,
    StoreNotFound,
)
from guildcard.kernel.actors import Actor, ActorKind


def test_points_stay_pending_for_the_window_and_a_refund_before_release_simply_voids_them(counter):
    counter.settings(pending_days=7)
    receipt = counter.buy(HOTPOT_CASHIER, "HP-1", 20000).receipt
    assert receipt.points_pending_until is not None
    assert (counter.balance().available, counter.balance().pending) == (0, 190)
    counter.buy(HOTPOT_CASHIER, "HP-2", 10000)
    counter.refund(HOTPOT_CASHIER, "HP-2", "RF-1", 9500)
    assert (counter.balance().pending, counter.balance().debt) == (190, 0)
    counter.clock.advance(timedelta(days=8))
    assert counter.ledger.release_pending(ALLIANCE).lots == 1
    assert counter.ledger.release_pending(ALLIANCE).lots == 0  # safe to re-run
    assert (counter.balance().available, counter.balance().pending) == (190, 0)
    clean(counter)


def test_when_only_members_earn_a_registered_guest_gets_no_points_and_no_member_discount(counter):
    counter.settings(only_members_earn=True)
    receipt = counter.buy(HOTPOT_CASHIER, "HP-1", 20000, member_id="mem_guest").receipt
    assert (receipt.discount_fen, receipt.points_earned, receipt.growth) == (0, 0, 0)
    assert [line.code for line in receipt.earn_lines] == ["members_only"]
    counter.settings(only_members_earn=False)
    assert counter.buy(HOTPOT_CASHIER, "HP-2", 20000, member_id="mem_guest").receipt.points_earned == 200
    clean(counter)


def test_the_daily_cap_counts_what_the_member_already_earned_here_today(counter):
    counter.loyalty.set_merchant_rules(
        alliance_id=ALLIANCE,
        merchant_id=HOTPOT,
        daily_cap=250,
        effective_from=counter.clock.now(),
        actor_id="owner",
        idempotency_key="rules-1",
    )
    counter.buy(HOTPOT_CASHIER, "HP-1", 20000)
    second = counter.buy(HOTPOT_CASHIER, "HP-2", 20000).receipt
    assert second.points_earned == 60
    assert [line.code for line in second.earn_lines] == ["base", "cap_day"]
    counter.clock.advance(timedelta(days=1))
    assert counter.buy(HOTPOT_CASHIER, "HP-3", 20000).receipt.points_earned == 190
    clean(counter)


def backfill(counter, receipt_no: str, amount_fen: int, days_ago: int, actor=HOTPOT_CASHIER):
    request = BackfillInput(
        "st_hotpot_1",
        receipt_no,
        counter.clock.now() - timedelta(days=days_ago),
        amount_fen,
        MemberIdentity(phone="13800001234"),
    )
    return counter.service.backfill(actor, request)


def test_a_forgotten_purchase_is_backfilled_from_its_receipt_within_the_window(counter):
    recorded = backfill(counter, "R-2001", 10000, days_ago=3)
    assert recorded.receipt.status == "approved"
    assert recorded.receipt.purchase.points_earned == 95
    assert counter.balance().available == 95
    assert backfill(counter, "R-2001", 10000, days_ago=3).replayed  # sent twice: recorded once
    with pytest.raises(DuplicateOrder):
        backfill(counter, "R-2001", 12000, days_ago=3)
    counter.buy(HOTPOT_CASHIER, "HP-9", 1000)
    with pytest.raises(DuplicateOrder):  # a receipt already rung up at the counter
        backfill(counter, "HP-9", 1000, days_ago=0)
    with pytest.raises(BackfillTooOld):
        backfill(counter, "R-2002", 10000, days_ago=31)
    assert counter.balance().available == 95 + 9
    clean(counter)


def test_a_large_backfill_waits_for_the_owner(counter):
    pending = backfill(counter, "R-3001", 80000, days_ago=2).receipt
    assert (pending.status, pending.purchase) == ("needs_approval", None)
    assert counter.balance().available == 0
    with pytest.raises(CounterForbidden):
        counter.service.decide_backfill(HOTPOT_CASHIER, pending.backfill_id, approve=True)
    approved = counter.service.decide_backfill(HOTPOT_OWNER, pending.backfill_id, approve=True).receipt
    assert approved.purchase.points_earned == 760
    assert counter.balance().available == 760
    with pytest.raises(BackfillNotPending):
        counter.service.decide_backfill(HOTPOT_OWNER, pending.backfill_id, approve=False)
    rejected = backfill(counter, "R-3002", 90000, days_ago=1).receipt
    done = counter.service.decide_backfill(
        HOTPOT_OWNER, rejected.backfill_id, approve=False, note="no receipt"
    )
    assert (done.receipt.status, done.receipt.decision_note) == ("rejected", "no receipt")
    assert counter.balance().available == 760
    clean(counter)


def test_an_operator_adjusts_points_by_hand_with_a_reason_and_it_is_audited(counter):
    grant = counter.service.adjust(
        OPERATOR,
        AdjustmentInput("mem_lily", 500, "compensation for a broken card reader"),
        idempotency_key="k1",
    )
    again = counter.service.adjust(
        OPERATOR,
        AdjustmentInput("mem_lily", 500, "compensation for a broken card reader"),
        idempotency_key="k1",
    )
    assert again.replayed
    counter.service.adjust(
        OPERATOR, AdjustmentInput("mem_lily", -200, "duplicate grant"), idempotency_key="k2"
    )
    assert counter.balance().available == 300
    with counter.database.read() as conn:
        lines = conn.execute(select(audit_log).where(audit_log.c.action == "counter.adjust_points")).all()
    assert [(line.actor_id, line.details["points"]) for line in lines] == [
        ("op_finance", 500),
        ("op_finance", -200),
    ]
    assert all(line.details["has_reason"] and "reason" not in line.details for line in lines)
    assert grant.receipt.reason == "compensation for a broken card reader"
    with pytest.raises(ReasonRequired):
        counter.service.adjust(OPERATOR, AdjustmentInput("mem_lily", 5, " "), idempotency_key="k3")
    with pytest.raises(CounterForbidden):
        counter.service.adjust(HOTPOT_OWNER, AdjustmentInput("mem_lily", 5, "because"), idempotency_key="k4")
    clean(counter)


def test_staff_act_only_at_their_own_stores(counter):
    def ring(actor: Actor, store: str, order: str):
        request = PurchaseInput(store, order, 1000, MemberIdentity(member_code=counter.code()))
        return counter.service.commit(actor, request)

    with pytest.raises(StoreNotFound):  # another merchant's store
        ring(CINEMA_CASHIER, "st_hotpot_1", "X-1")
    with pytest.raises(StoreNotFound):  # another alliance
        ring(staff(HOTPOT, "st_hotpot_1", alliance_id="al_other"), "st_hotpot_1", "X-2")
    with pytest.raises(CounterForbidden):  # the cashier of store 1 at store 2
        ring(HOTPOT_CASHIER, "st_hotpot_2", "X-3")
    assert (
        ring(staff(HOTPOT, "st_hotpot_1", "manager"), "st_hotpot_2", "X-4").receipt.store_id == "st_hotpot_2"
    )
    pos = Actor(ActorKind.POS, "pos_1", ALLIANCE, merchant_id=HOTPOT, store_ids=frozenset({"st_hotpot_1"}))
    with pytest.raises(CounterForbidden):  # a POS key without the counter:write scope
        ring(pos, "st_hotpot_1", "X-5")
    with_scope = Actor(
        ActorKind.POS,
        "pos_1",
        ALLIANCE,
        merchant_id=HOTPOT,
        store_ids=frozenset({"st_hotpot_1"}),
        scopes=frozenset({"counter:write"}),
    )
    assert ring(with_scope, "st_hotpot_1", "X-6").replayed is False
    with pytest.raises(StoreNotFound):
        ring(with_scope, "st_hotpot_2", "X-7")


def test_purchases_refunds_and_backfills_leave_audit_lines_by_their_numbers(counter):
    counter.buy(HOTPOT_CASHIER, "HP-A1", 10000)
    counter.refund(HOTPOT_CASHIER, "HP-A1", "HP-A1-R", 2000)
    backfill(counter, "R-A1", 10000, days_ago=2)
    with counter.database.read() as conn:
        lines = conn.execute(
            select(audit_log)
            .where(audit_log.c.action.like("counter.%"))
            .order_by(audit_log.c.at, audit_log.c.id)
        ).all()
    by_action = {line.action: line for line in lines}
    assert set(by_action) == {"counter.purchase", "counter.refund", "counter.backfill_requested",
                              "counter.backfill_purchase"}  # fmt: skip
    bought = by_action["counter.purchase"]
    assert (bought.object_type, bought.object_id, bought.actor_id) == ("purchase", "HP-A1", HOTPOT_CASHIER.id)
    assert (bought.merchant_id, bought.store_id) == (HOTPOT, "st_hotpot_1")
    assert bought.details == {"amount_fen": 9500, "points_used": 0, "points": 95}
    refunded = by_action["counter.refund"]
    assert (refunded.object_id, refunded.details) == ("HP-A1-R", {"order_no": "HP-A1", "amount_fen": 2000})
    assert by_action["counter.backfill_requested"].details["receipt_no"] == "R-A1"
    assert by_action["counter.backfill_purchase"].object_id == "R-A1"
