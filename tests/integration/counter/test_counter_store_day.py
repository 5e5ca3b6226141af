"""Today's list at a store and the shift summary a cashier hands over (issue 12, item 9)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from tests.integration.counter.conftest import CINEMA_CASHIER, HOTPOT_CASHIER, HOTPOT_OWNER, staff

from guildcard.counter.commands import BackfillInput, MemberIdentity
from guildcard.counter.domain.errors import CounterForbidden, StoreNotFound

EVENING_CASHIER = replace(HOTPOT_CASHIER, id="stf_hotpot_evening")


def _backfill(counter, receipt_no: str, amount_fen: int, days_ago: int):
    request = BackfillInput(
        "st_hotpot_1", receipt_no, counter.clock.now() - timedelta(days=days_ago), amount_fen,
        MemberIdentity(phone="13800001234"),
    )  # fmt: skip
    return counter.service.backfill(HOTPOT_CASHIER, request)


def test_the_day_lists_what_was_recorded_at_this_store_today_in_time_order(counter):
    counter.clock.advance(timedelta(days=-1))
    counter.buy(HOTPOT_CASHIER, "YESTERDAY-1", 5000)  # yesterday: not today's
    counter.clock.advance(timedelta(days=1))
    counter.buy(HOTPOT_CASHIER, "HP-1", 10000)  # 9,500 payable after 5 % off, 95 points
    counter.clock.advance(timedelta(minutes=5))
    counter.buy(staff("mer_hotpot", "st_hotpot_2"), "HP-OTHER", 20000)  # the other store
    counter.buy(EVENING_CASHIER, "HP-2", 20000, points=50)  # 19,000 payable, 50 points pay ¥0.50
    counter.clock.advance(timedelta(minutes=5))
    counter.refund(HOTPOT_CASHIER, "HP-1", "HP-1-R", 4750)  # half of HP-1
    _backfill(counter, "R-OLD", 10000, days_ago=2)  # approved at once
    counter.clock.advance(timedelta(minutes=1))
    _backfill(counter, "R-BIG", 90000, days_ago=1)  # waits for the owner

    day = counter.service.store_day(HOTPOT_CASHIER, store_id="st_hotpot_1")

    kinds = [(line.kind, line.number) for line in day.lines]
    assert kinds == [
        ("purchase", "HP-1"), ("purchase", "HP-2"), ("refund", "HP-1-R"),
        ("backfill", "R-OLD"), ("backfill_pending", "R-BIG"),
    ]  # fmt: skip
    first, second, refund, backfill, waiting = day.lines
    assert (first.member, first.amount_fen, first.points_earned) == ("138****1234", 9500, 95)
    assert (second.points_used, second.cash_fen) == (50, 18950)
    assert (refund.amount_fen, refund.points_earned, refund.member) == (4750, 47, "138****1234")
    assert backfill.occurred_at is not None
    assert backfill.occurred_at < backfill.at - timedelta(days=1)
    assert (waiting.amount_fen, waiting.points_earned) == (90000, 0)
    s = day.summary
    assert (s.purchases, s.sales_fen, s.refunds, s.refunded_fen) == (3, 9500 + 19000 + 9500, 1, 4750)
    assert (s.points_issued, s.points_used, s.points_clawed_back) == (95 + 189 + 95, 50, 47)
    assert (s.net_sales_fen, s.backfills_pending) == (9500 + 19000 + 9500 - 4750, 1)


def test_a_shift_counts_from_its_start_and_only_the_cashiers_own_lines(counter):
    counter.buy(HOTPOT_CASHIER, "MORNING-1", 10000)
    counter.clock.advance(timedelta(hours=2))  # 14:00 in Shanghai: the evening shift starts
    shift_start = counter.clock.now()
    counter.buy(EVENING_CASHIER, "EVENING-1", 20000)
    counter.buy(HOTPOT_CASHIER, "EVENING-2", 30000)

    shift = counter.service.store_day(EVENING_CASHIER, store_id="st_hotpot_1", since=shift_start)
    assert [line.number for line in shift.lines] == ["EVENING-1", "EVENING-2"]
    mine = counter.service.store_day(EVENING_CASHIER, store_id="st_hotpot_1", since=shift_start, mine=True)
    assert [line.number for line in mine.lines] == ["EVENING-1"]
    assert (mine.summary.purchases, mine.summary.sales_fen) == (1, 19000)
    whole_day = counter.service.store_day(HOTPOT_OWNER, store_id="st_hotpot_1")
    assert whole_day.summary.purchases == 3


def test_only_who_works_the_store_reads_its_day(counter):
    counter.buy(HOTPOT_CASHIER, "HP-1", 10000)
    with pytest.raises(StoreNotFound):
        counter.service.store_day(CINEMA_CASHIER, store_id="st_hotpot_1")
    with pytest.raises(CounterForbidden):
        counter.service.store_day(staff("mer_hotpot", "st_hotpot_2"), store_id="st_hotpot_1")
