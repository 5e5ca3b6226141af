"""How busy a trade is on a given day: weekdays, weekends and the autumn holidays (pure)."""

from __future__ import annotations

from datetime import date

# Saturday/Sunday factor per trade (offices empty: coffee and gyms quieter at weekends).
WEEKEND = {
    "dining": 1.5, "tea": 1.4, "coffee": 0.7, "bakery": 1.2, "cinema": 1.9, "ktv": 1.8,
    "fitness": 0.8, "beauty": 1.5, "books": 1.6, "home": 1.9, "kids": 2.6, "apparel": 1.7,
}  # fmt: skip
FRIDAY = {"cinema": 1.3, "ktv": 1.5, "dining": 1.2}
MEMBER_DAY = 3  # ISO weekday: Wednesday is the alliance's member day (积分翻倍)
MEMBER_DAY_TRAFFIC = 1.2


def mid_autumn(year: int) -> date | None:
    """Mid-Autumn Festival (中秋节) for the years the demo is likely to run in."""
    return {2025: date(2025, 10, 6), 2026: date(2026, 9, 25), 2027: date(2027, 9, 15)}.get(year)


def day_factor(trade: str, day: date) -> float:
    """Relative traffic of ``trade`` on ``day`` (1.0: an ordinary weekday)."""
    factor = 1.0
    weekday = day.isoweekday()
    if weekday >= 6:
        factor *= WEEKEND.get(trade, 1.3)
    elif weekday == 5:
        factor *= FRIDAY.get(trade, 1.1)
    elif weekday == MEMBER_DAY:
        factor *= MEMBER_DAY_TRAFFIC
    return factor * _holiday(trade, day)


def _holiday(trade: str, day: date) -> float:
    festival = mid_autumn(day.year)
    if festival is not None:
        before = (festival - day).days
        if trade == "bakery" and 0 <= before <= 10:  # mooncake gift boxes
            return 2.8
        if before == 0 and trade in {"dining", "cinema", "ktv"}:
            return 1.8
    if day.month == 10 and 1 <= day.day <= 7:  # National Day golden week (国庆黄金周)
        return {"coffee": 0.5, "fitness": 0.6}.get(trade, 1.9)
    if day.month == 11 and day.day in (10, 11) and trade in {"apparel", "home", "beauty"}:
        return 2.2  # Double 11 (双十一)
    if day.month == 12 and day.day in (24, 25) and trade in {"dining", "bakery", "cinema", "apparel"}:
        return 1.8
    return 1.0
