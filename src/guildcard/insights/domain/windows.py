"""Windows of business days: a day, an ISO week or a month, and the one before it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from guildcard.insights.domain.errors import BadPeriod


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Window:
    """Business days ``start <= day < end``."""

    start: date
    end: date
    grain: Grain = Grain.MONTH

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def key(self) -> str:
        if self.grain is Grain.DAY:
            return self.start.isoformat()
        if self.grain is Grain.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    def previous(self) -> Window:
        return window_of(self.start - timedelta(days=1), self.grain)

    def next(self) -> Window:
        return window_of(self.end, self.grain)


def window_of(day: date, grain: Grain) -> Window:
    """The window of ``grain`` that holds ``day``."""
    if grain is Grain.DAY:
        return Window(day, day + timedelta(days=1), grain)
    if grain is Grain.WEEK:
        start = day - timedelta(days=day.weekday())
        return Window(start, start + timedelta(days=7), grain)
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return Window(start, end, grain)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_period(text: str) -> Window:
    """``2026-11`` (month), ``2026-W48`` (ISO week) or ``2026-11-23`` (day)."""
    try:
        if m := _MONTH.match(text):
            return window_of(date(int(m[1]), int(m[2]), 1), Grain.MONTH)
        if m := _WEEK.match(text):
            return window_of(date.fromisocalendar(int(m[1]), int(m[2]), 1), Grain.WEEK)
        if _DAY.match(text):
            return window_of(date.fromisoformat(text), Grain.DAY)
    except ValueError:
        pass
    raise BadPeriod(text)


def trailing(last: Window, count: int) -> list[Window]:
    """``count`` windows ending with ``last``, oldest first."""
    windows = [last]
    while len(windows) < count:
        windows.append(windows[-1].previous())
    return windows[::-1]
