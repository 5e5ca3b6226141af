"""Settlement periods: a day, an ISO week or a calendar month, in Asia/Shanghai.

Keys: ``2026-11-23`` (day), ``2026-W48`` (ISO week), ``2026-11`` (month). A period is the
half-open interval ``[starts_at, ends_at)`` in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.settlement.domain.errors import InvalidPeriod


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    key: str
    first_day: date
    last_day: date

    @property
    def starts_at(self) -> datetime:
        return start_of_business_day(self.first_day)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period (exclusive bound), UTC."""
        return start_of_business_day(self.last_day + timedelta(days=1))

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_period(key: str) -> Period:
    """``"2026-11"`` / ``"2026-W48"`` / ``"2026-11-23"`` -> a ``Period``; anything else is refused."""
    text = key.strip()
    try:
        if m := _MONTH.match(text):
            return month(int(m[1]), int(m[2]))
        if m := _WEEK.match(text):
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(PeriodKind.WEEK, text, first, first + timedelta(days=6))
        if m := _DAY.match(text):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return day_period(day)
    except ValueError as exc:
        raise InvalidPeriod(period=key) from exc
    raise InvalidPeriod(period=key)


def month(year: int, number: int) -> Period:
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(PeriodKind.MONTH, f"{year:04d}-{number:02d}", first, following - timedelta(days=1))


def day_period(day: date) -> Period:
    return Period(PeriodKind.DAY, day.isoformat(), day, day)


def period_containing(kind: PeriodKind, moment: datetime) -> Period:
    """The period of ``kind`` that holds ``moment`` (decided in Asia/Shanghai)."""
    day = business_date(moment)
    if kind is PeriodKind.DAY:
        return day_period(day)
    if kind is PeriodKind.WEEK:
        year, week, _ = day.isocalendar()
        return parse_period(f"{year:04d}-W{week:02d}")
    return month(day.year, day.month)
