"""Purchase-count summaries for BG/NBD and Gamma-Gamma (the standard definitions).

Per customer, from their distinct purchase days up to ``as_of`` (exclusive): frequency = the
number of purchase days after the first; recency = time from the first to the last purchase
day; T = time from the first purchase day to ``as_of``; both in the chosen unit (days, or weeks
of 7 days). monetary_value = the mean spend of the repeat purchase days (0 when there are none),
which is what Gamma-Gamma models.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TimeUnit(StrEnum):
    DAY = "day"
    WEEK = "week"

    @property
    def days(self) -> int:
        return 1 if self is TimeUnit.DAY else 7


@dataclass(frozen=True)
class Summary:
    customer_id: str
    frequency: int
    recency: float
    T: float
    monetary_value: float  # fen


def summaries(
    purchases: Iterable[tuple[str, date, int]], *, as_of: date, unit: TimeUnit = TimeUnit.DAY
) -> list[Summary]:
    """From (customer, day, spend in fen) rows; several rows of one day count as one purchase day."""
    spend: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for customer, day, fen in purchases:
        if day < as_of:
            spend[customer][day] += fen
    out = []
    for customer, by_day in sorted(spend.items()):
        days = sorted(by_day)
        first, last = days[0], days[-1]
        repeat = [by_day[d] for d in days[1:]]
        out.append(
            Summary(
                customer, len(days) - 1, (last - first).days / unit.days, (as_of - first).days / unit.days,
                sum(repeat) / len(repeat) if repeat else 0.0,
            )
        )  # fmt: skip
    return out
