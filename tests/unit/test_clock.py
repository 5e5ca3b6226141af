from datetime import UTC, date, datetime, timedelta

import pytest

from guildcard.kernel.clock import (
    FixedClock,
    business_date,
    end_of_business_day,
    start_of_business_day,
)


def test_today_is_decided_in_shanghai():
    # 16:30 UTC on Nov 30 is already 00:30 on Dec 1 in Shanghai.
    assert business_date(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == date(2026, 12, 1)
    assert business_date(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == date(2026, 11, 30)


def test_business_day_bounds_are_utc_instants():
    assert start_of_business_day(date(2026, 12, 1)) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert end_of_business_day(date(2026, 12, 1)) == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def test_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2026, 1, 1, 0, 5, tzinfo=UTC)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="naive"):
        FixedClock(datetime(2026, 1, 1))  # noqa: DTZ001
