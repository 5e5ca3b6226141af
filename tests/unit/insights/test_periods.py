"""Page periods other than months: ISO weeks, quarters and custom ranges, each with the window before."""

from __future__ import annotations

from datetime import date

import pytest

from guildcard.insights.domain.errors import BadPeriod
from guildcard.insights.domain.windows import Grain, parse_period, trailing, window_of
from guildcard.web.routes.insights_pages import period_label


def test_a_quarter_runs_three_months_and_follows_the_one_before() -> None:
    q4 = parse_period("2026-Q4")
    assert (q4.start, q4.end, q4.key) == (date(2026, 10, 1), date(2027, 1, 1), "2026-Q4")
    assert q4.previous().key == "2026-Q3"
    assert q4.next().key == "2027-Q1"
    assert window_of(date(2026, 2, 28), Grain.QUARTER).key == "2026-Q1"
    assert [w.key for w in trailing(parse_period("2026-Q1"), 3)] == ["2025-Q3", "2025-Q4", "2026-Q1"]


def test_a_custom_range_includes_both_days_and_the_window_before_is_as_long() -> None:
    r = parse_period("2026-10-01..2026-11-15")
    assert (r.start, r.end) == (date(2026, 10, 1), date(2026, 11, 16))
    assert r.key == "2026-10-01..2026-11-15"
    before = r.previous()
    assert (before.start, before.end) == (date(2026, 8, 16), date(2026, 10, 1))  # 46 days each
    assert parse_period(before.key) == before
    assert date(2026, 11, 15) in r
    assert date(2026, 11, 16) not in r


@pytest.mark.parametrize(
    "text", ["2026-Q5", "2026-11-15..2026-10-01", "2025-01-01..2026-06-30", "2026-10-01..", "Q4"]
)
def test_a_backwards_or_overlong_range_and_a_bad_quarter_are_refused(text: str) -> None:
    with pytest.raises(BadPeriod):
        parse_period(text)


def test_the_months_weeks_and_days_still_parse_as_before() -> None:
    assert parse_period("2026-11").key == "2026-11"
    assert parse_period("2026-W48").start == date(2026, 11, 23)
    assert parse_period("2026-11-23").grain is Grain.DAY


def test_a_trend_point_is_labelled_by_its_grain() -> None:
    assert period_label("2026-11", zh=True) == "11月"
    assert period_label("2026-W48", zh=True) == "W48"
    assert period_label("2026-Q4", zh=False) == "Q4"
    assert period_label("2026-10-01..2026-11-15", zh=True) == "10-01"
