"""Daily check-in (签到): the alliance's rules and what a check-in earns. Pure functions.

A member checks in once per Asia/Shanghai day. Each check-in earns the base points plus the
continuous-day bonus of its position in the streak (the table cycles after its last day, or
stays at the last day: ``after_last``) plus the cumulative bonus when the month's count of
check-ins reaches a milestone. The streak breaks on a missed day and, by the alliance's
choice, also at the start of each week (Monday) or month. A make-up check-in (补签) fills a
missed day of the current month for a points price, a limited number of times a month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from guildcard.rewards.domain.checkin_errors import CheckinRulesInvalid


class AfterLast(StrEnum):
    CYCLE = "cycle"  # day 8 of a 7-day table earns day 1's bonus again
    CAP = "cap"  # day 8 and later earn day 7's bonus


class StreakReset(StrEnum):
    MISSED = "missed"  # only a missed day breaks the streak
    WEEKLY = "weekly"  # also every Monday
    MONTHLY = "monthly"  # also every first of the month


@dataclass(frozen=True, kw_only=True)
class CheckinRules:
    enabled: bool = True
    base_points: int = 5
    continuous: Mapping[int, int] = field(default_factory=lambda: {3: 10, 7: 30})  # streak day -> bonus
    after_last: AfterLast = AfterLast.CYCLE
    cumulative: Mapping[int, int] = field(default_factory=lambda: {10: 50, 20: 100})  # days in month -> bonus
    reset: StreakReset = StreakReset.MISSED
    makeup_price_points: int = 50
    makeup_per_month: int = 2


def check_rules(rules: CheckinRules) -> None:
    problems = []
    if rules.base_points < 0:
        problems.append("base_points")
    if any(d < 1 or p < 0 for d, p in rules.continuous.items()):
        problems.append("continuous")
    if any(d < 1 or d > 31 or p < 0 for d, p in rules.cumulative.items()):
        problems.append("cumulative")
    if rules.makeup_price_points < 0 or rules.makeup_per_month < 0:
        problems.append("makeup")
    if problems:
        raise CheckinRulesInvalid(fields=problems)


def breaks_streak(day: date, reset: StreakReset) -> bool:
    """True when ``day`` starts a fresh streak whatever came before (weekly or monthly resets)."""
    if reset is StreakReset.WEEKLY:
        return day.isoweekday() == 1
    if reset is StreakReset.MONTHLY:
        return day.day == 1
    return False


def streak_on(day: date, previous_streak: int | None, rules: CheckinRules) -> int:
    """The streak ``day`` makes; ``previous_streak``: the streak of the day before (None: not checked in)."""
    if previous_streak is None or breaks_streak(day, rules.reset):
        return 1
    return previous_streak + 1


def table_day(streak: int, rules: CheckinRules) -> int:
    """Which row of the continuous table a streak position earns."""
    last = max(rules.continuous, default=0)
    if last == 0 or streak <= last:
        return streak
    return ((streak - 1) % last) + 1 if rules.after_last is AfterLast.CYCLE else last


def continuous_bonus(streak: int, rules: CheckinRules) -> int:
    return rules.continuous.get(table_day(streak, rules), 0)


@dataclass(frozen=True)
class CheckinReward:
    streak: int
    base: int
    continuous_bonus: int
    cumulative_bonus: int

    @property
    def points(self) -> int:
        return self.base + self.continuous_bonus + self.cumulative_bonus


def reward_for(*, streak: int, month_count: int, rules: CheckinRules) -> CheckinReward:
    """``month_count``: check-ins this month including this one."""
    return CheckinReward(
        streak, rules.base_points, continuous_bonus(streak, rules), rules.cumulative.get(month_count, 0)
    )


def restreak(days: Iterable[date], rules: CheckinRules) -> dict[date, int]:
    """The streak of each checked-in day, recomputed from the calendar (after a make-up fills a gap)."""
    out: dict[date, int] = {}
    for day in sorted(days):
        out[day] = streak_on(day, out.get(day - timedelta(days=1)), rules)
    return out


@dataclass(frozen=True)
class Milestone:
    kind: str  # "continuous" or "cumulative"
    day: int  # the streak day or the month's count that earns it
    bonus: int
    days_to_go: int


def next_milestone(*, streak: int, month_count: int, rules: CheckinRules) -> Milestone | None:
    """The nearest bonus ahead if the member keeps checking in every day (today included if not yet)."""
    found: list[Milestone] = []
    for ahead in range(1, 32):
        if rules.continuous and continuous_bonus(streak + ahead, rules):
            found.append(
                Milestone(
                    "continuous",
                    table_day(streak + ahead, rules),
                    continuous_bonus(streak + ahead, rules),
                    ahead,
                )
            )
            break
    for count, bonus in sorted(rules.cumulative.items()):
        if count > month_count and bonus:
            found.append(Milestone("cumulative", count, bonus, count - month_count))
            break
    return min(found, key=lambda m: m.days_to_go, default=None)
