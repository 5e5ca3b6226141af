"""Check-in rules: continuous tables that cycle or cap, resets, milestones (no database)."""

from __future__ import annotations

from datetime import date

from guildcard.rewards.domain.checkin import (
    AfterLast,
    CheckinRules,
    StreakReset,
    next_milestone,
    restreak,
    reward_for,
    streak_on,
)

RULES = CheckinRules(base_points=5, continuous={3: 10, 7: 30}, cumulative={10: 50})


def test_the_seventh_day_earns_its_bonus_and_the_eighth_starts_the_table_again():
    assert reward_for(streak=7, month_count=7, rules=RULES).points == 35
    assert reward_for(streak=10, month_count=10, rules=RULES).points == 5 + 10 + 50  # day 3 again + 10th
    capped = CheckinRules(base_points=5, continuous={3: 10, 7: 30}, after_last=AfterLast.CAP, cumulative={})
    assert reward_for(streak=12, month_count=12, rules=capped).points == 35


def test_a_weekly_reset_starts_a_fresh_streak_on_monday():
    weekly = CheckinRules(reset=StreakReset.WEEKLY)
    monday = date(2026, 12, 7)
    assert streak_on(monday, 6, weekly) == 1
    assert streak_on(monday, 6, RULES) == 7
    assert streak_on(date(2026, 12, 1), 30, CheckinRules(reset=StreakReset.MONTHLY)) == 1


def test_a_filled_gap_joins_the_streaks_and_the_next_milestone_is_the_nearest():
    days = [date(2026, 12, d) for d in (1, 2, 4, 5)]
    assert restreak(days, RULES)[date(2026, 12, 5)] == 2
    assert restreak([*days, date(2026, 12, 3)], RULES)[date(2026, 12, 5)] == 5
    ahead = next_milestone(streak=5, month_count=5, rules=RULES)
    assert (ahead.kind, ahead.day, ahead.bonus, ahead.days_to_go) == ("continuous", 7, 30, 2)
