from datetime import UTC, datetime, timedelta

import pytest

from guildcard.counter.domain.amounts import CategoryLine, check_bill, check_category_lines
from guildcard.counter.domain.backfill import BackfillPolicy, BackfillStatus, assess_backfill
from guildcard.counter.domain.errors import (
    BackfillInFuture,
    BackfillTooOld,
    InvalidAmount,
    InvalidCategoryLines,
)

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
POLICY = BackfillPolicy(window_days=7, approval_threshold_fen=50_000)


def test_a_small_recent_receipt_is_recorded_at_once():
    assert assess_backfill(POLICY, purchased_at=NOW - timedelta(days=3), now=NOW, amount_fen=12_800) is (
        BackfillStatus.APPROVED
    )


def test_a_large_receipt_waits_for_the_owner():
    assert assess_backfill(POLICY, purchased_at=NOW - timedelta(days=1), now=NOW, amount_fen=50_001) is (
        BackfillStatus.NEEDS_APPROVAL
    )


def test_the_window_counts_shanghai_calendar_days():
    # 23:30 on Nov 15 in Shanghai is 8 calendar days before Nov 23: too old for a 7-day window.
    late_evening = datetime(2026, 11, 15, 15, 30, tzinfo=UTC)
    with pytest.raises(BackfillTooOld):
        assess_backfill(POLICY, purchased_at=late_evening, now=NOW, amount_fen=100)
    assert (
        assess_backfill(
            POLICY, purchased_at=datetime(2026, 11, 16, 0, 0, tzinfo=UTC), now=NOW, amount_fen=100
        )
        is BackfillStatus.APPROVED
    )


def test_a_receipt_from_the_future_is_refused():
    with pytest.raises(BackfillInFuture):
        assess_backfill(POLICY, purchased_at=NOW + timedelta(minutes=5), now=NOW, amount_fen=100)


@pytest.mark.parametrize("amount", [0, -100, 100_000_001, 12.5, True])
def test_absurd_amounts_are_refused_with_a_stable_code(amount):
    with pytest.raises(InvalidAmount) as caught:
        check_bill(amount)
    assert caught.value.code == "counter.invalid_amount"


def test_category_lines_may_cover_part_of_the_bill_but_not_more():
    lines = [CategoryLine("drinks", 3000), CategoryLine("food", 5000)]
    assert check_category_lines(lines, bill_fen=10_000) == tuple(lines)
    with pytest.raises(InvalidCategoryLines):
        check_category_lines(lines, bill_fen=7_000)
    with pytest.raises(InvalidCategoryLines):
        check_category_lines([CategoryLine("drinks", 0)], bill_fen=7_000)
