"""Windows of business days: a day, an ISO week, a month, a quarter or a custom range, and the one before."""

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
    QUARTER = "quarter"
    RANGE = "range"  # custom: the window before is as long and ends where it starts


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
        if self.grain is Grain.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.grain is Grain.RANGE:
            return f"{self.start.isoformat()}..{(self.end - timedelta(days=1)).isoformat()}"
        return f"{self.start.year}-{self.start.month:02d}"

    def previous(self) -> Window:
        if self.grain is Grain.RANGE:
            return Window(self.start - (self.end - self.start), self.start, self.grain)
        return window_of(self.start - timedelta(days=1), self.grain)

    def next(self) -> Window:
        if self.grain is Grain.RANGE:
            return Window(self.end, self.end + (self.end - self.start), self.grain)
        return window_of(self.end, self.grain)


def window_of(day: date, grain: Grain) -> Window:
    """The window of ``grain`` that holds ``day``."""
    if grain is Grain.DAY:
        return Window(day, day + timedelta(days=1), grain)
    if grain is Grain.WEEK:
        start = day - timedelta(days=day.weekday())
        return Window(start, start + timedelta(days=7), grain)
    if grain is Grain.RANGE:
        raise ValueError("a custom range has no window of a day: build it with custom_range")
    months = 3 if grain is Grain.QUARTER else 1
    start = day.replace(month=day.month - (day.month - 1) % months, day=1)
    index = start.year * 12 + start.month - 1 + months
    return Window(start, date(index // 12, index % 12 + 1, 1), grain)


MAX_RANGE_DAYS = 366


def custom_range(first: date, last: date) -> Window:
    """Business days ``first`` to ``last``, both included (at most a year)."""
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise BadPeriod(f"{first.isoformat()}..{last.isoformat()}")
    return Window(first, last + timedelta(days=1), Grain.RANGE)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> Window:
    """``2026-11`` (month), ``2026-W48`` (ISO week), ``2026-Q4`` (quarter), ``2026-11-23`` (day) or
    ``2026-10-01..2026-11-15`` (a custom range, both days included)."""
    text = text.strip()
    try:
        if m := _QUARTER.match(text):
            return window_of(date(int(m[1]), 3 * int(m[2]) - 2, 1), Grain.QUARTER)
        if m := _RANGE.match(text):
            return custom_range(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
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


def is_whole_months(window: Window) -> bool:
    """Whether ``window`` starts and ends on the first of a month (a month, a quarter, such a range)."""
    return window.start.day == 1 and window.end.day == 1


def whole_months(start: date, end: date) -> tuple[date, date]:
    """``(first, stop)``: the calendar months wholly inside ``[start, end)`` are ``first <= month < stop``
    (``first >= stop`` when there are none)."""
    first = start if start.day == 1 else window_of(start, Grain.MONTH).end
    return first, window_of(end, Grain.MONTH).start
