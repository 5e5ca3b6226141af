"""Time comes from an injected clock, so tests and replays are exact.

All stored times are aware UTC datetimes. "Today", expiry dates and settlement
periods are decided in the business time zone, Asia/Shanghai.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to: for tests, replays and demo seeding."""

    def __init__(self, at: datetime) -> None:
        self._now = ensure_utc(at)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = ensure_utc(at)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def ensure_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every time must carry its zone")
    return moment.astimezone(UTC)


def business_date(moment: datetime) -> date:
    """The calendar date in Asia/Shanghai at ``moment``."""
    return ensure_utc(moment).astimezone(BUSINESS_TZ).date()


def start_of_business_day(day: date) -> datetime:
    """00:00 Asia/Shanghai on ``day``, as UTC."""
    return datetime.combine(day, time.min, tzinfo=BUSINESS_TZ).astimezone(UTC)


def end_of_business_day(day: date) -> datetime:
    """The first instant after ``day`` in Asia/Shanghai, as UTC (exclusive bound)."""
    return start_of_business_day(day + timedelta(days=1))
