"""Retention cohorts: members grouped by registration month or by the merchant of their first purchase.

A cohort's retention at offset k is the share of its members active (at least one purchase) in
the k-th month after the cohort's month (k = 0: the month itself).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_key(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class Cohort:
    key: str  # "2026-09" or a merchant id
    size: int
    start_month: str  # for merchant cohorts: the earliest first-purchase month
    retention: tuple[float, ...]  # offset 0, 1, 2, ...
    active: tuple[int, ...]


def active_months(days: Iterable[tuple[str, date]]) -> dict[str, set[int]]:
    """member -> the month indexes with a purchase, from (member, day) pairs."""
    found: dict[str, set[int]] = defaultdict(set)
    for member, day in days:
        found[member].add(month_index(day))
    return found


def by_registration_month(
    registered: Mapping[str, date], active: Mapping[str, set[int]], *, last_month: int
) -> list[Cohort]:
    """One cohort per registration month up to ``last_month`` (offsets run to it)."""
    groups: dict[int, list[str]] = defaultdict(list)
    for member, day in registered.items():
        if month_index(day) <= last_month:
            groups[month_index(day)].append(member)
    return [_cohort(month_key(m), m, members, active, last_month) for m, members in sorted(groups.items())]


def by_first_merchant(
    first: Mapping[str, tuple[date, str]], active: Mapping[str, set[int]], *, last_month: int
) -> list[Cohort]:
    """One cohort per merchant of first purchase; offsets count from each member's own first month."""
    groups: dict[str, list[str]] = defaultdict(list)
    for member, (day, merchant) in first.items():
        if month_index(day) <= last_month:
            groups[merchant].append(member)
    cohorts = []
    for merchant, members in sorted(groups.items()):
        starts = {m: month_index(first[m][0]) for m in members}
        span = last_month - min(starts.values()) + 1
        active_at = [0] * span
        eligible = [0] * span
        for m in members:
            for k in range(last_month - starts[m] + 1):
                eligible[k] += 1
                active_at[k] += (starts[m] + k) in active.get(m, set())
        retention = tuple(a / e for a, e in zip(active_at, eligible, strict=True) if e)
        start = month_key(min(starts.values()))
        cohorts.append(Cohort(merchant, len(members), start, retention, tuple(active_at[: len(retention)])))
    return cohorts


def _cohort(
    key: str, start: int, members: list[str], active: Mapping[str, set[int]], last_month: int
) -> Cohort:
    counts = tuple(
        sum((start + k) in active.get(m, set()) for m in members) for k in range(last_month - start + 1)
    )
    return Cohort(key, len(members), month_key(start), tuple(c / len(members) for c in counts), counts)
