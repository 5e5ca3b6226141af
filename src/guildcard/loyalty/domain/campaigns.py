"""Campaigns: a points multiplier in a time window, for the alliance or some merchants.

A window is judged in Asia/Shanghai: an optional date range [starts_at, ends_at), an
optional set of ISO weekdays (1 = Monday ... 7 = Sunday; e.g. {3} = every Wednesday,
the member day 会员日) and an optional daily time range [time_from, time_to).

A campaign may carry a **budget**: the most extra points it gives in all (``budget_points``).
The counter consumes it in the purchase's own transaction (``loyalty.campaign_budgets``); a
purchase gets at most what is left, and once nothing is left the multiplier stops.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal

from guildcard.kernel.clock import BUSINESS_TZ, ensure_utc
from guildcard.loyalty.domain.errors import CampaignInvalid

MAX_CAMPAIGN_MULTIPLIER = Decimal(10)
WEEKDAY_NAMES_ZH = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    name: str
    multiplier: Decimal
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # exclusive; ending a campaign sets it
    weekdays: frozenset[int] = frozenset()  # empty: every day
    time_from: time | None = None  # local Asia/Shanghai time of day, inclusive
    time_to: time | None = None  # exclusive
    merchant_ids: frozenset[str] = frozenset()  # empty: every merchant
    trade_categories: frozenset[str] = frozenset()  # empty: every trade
    members_only: bool = True  # a member day is for members
    budget_points: int | None = None  # the most extra points in all; None: no budget
    ended_at: datetime | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise CampaignInvalid("; ".join(problems), problems=problems, field=_field_of(problems[0]))

    def is_running_at(self, at: datetime) -> bool:
        """Whether ``at`` falls in the campaign's window (dates, weekdays, hours)."""
        at = ensure_utc(at)
        if self.starts_at is not None and at < self.starts_at:
            return False
        if self.ends_at is not None and at >= self.ends_at:
            return False
        local = at.astimezone(BUSINESS_TZ)
        if self.weekdays and local.isoweekday() not in self.weekdays:
            return False
        clock = local.time().replace(tzinfo=None)
        if self.time_from is not None and clock < self.time_from:
            return False
        return self.time_to is None or clock < self.time_to

    def covers(self, *, merchant_id: str | None, trade_category: str | None) -> bool:
        """Whether the campaign's scope includes this merchant and trade (None: any)."""
        if merchant_id is not None and self.merchant_ids and merchant_id not in self.merchant_ids:
            return False
        return trade_category is None or not self.trade_categories or trade_category in self.trade_categories

    def applies(self, *, at: datetime, merchant_id: str, trade_category: str, is_member: bool) -> bool:
        if self.members_only and not is_member:
            return False
        return self.is_running_at(at) and self.covers(merchant_id=merchant_id, trade_category=trade_category)


def _problems(c: Campaign) -> list[str]:
    problems = []
    if not c.name.strip():
        problems.append("a campaign needs a name")
    if not c.multiplier.is_finite() or not Decimal(1) < c.multiplier <= MAX_CAMPAIGN_MULTIPLIER:
        problems.append(f"multiplier must be above 1 and at most {MAX_CAMPAIGN_MULTIPLIER}")
    for name in ("starts_at", "ends_at"):
        moment = getattr(c, name)
        if moment is not None and moment.tzinfo is None:
            problems.append(f"{name} must carry its time zone")
    if (
        not problems
        and c.starts_at is not None
        and c.ends_at is not None
        and c.ends_at <= c.starts_at
        and c.ended_at is None
    ):
        problems.append("ends_at must come after starts_at")
    budget = c.budget_points
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 1):
        problems.append("budget_points must be a whole number of points, 1 or more (empty: no budget)")
    if any(day not in range(1, 8) for day in c.weekdays):
        problems.append("weekdays are ISO numbers 1 (Monday) to 7 (Sunday)")
    if c.time_from is not None and c.time_to is not None and c.time_to <= c.time_from:
        problems.append("time_to must come after time_from")
    return problems


_PROBLEM_FIELDS = (("name", "name"), ("multiplier", "multiplier"), ("starts_at", "first_day"),
                   ("ends_at", "last_day"), ("weekdays", "weekdays"), ("time_", "time_from"),
                   ("budget_points", "budget_points"))  # fmt: skip


def _field_of(problem: str) -> str:
    """The form field a problem is about (the operator console's names)."""
    return next((field for word, field in _PROBLEM_FIELDS if word in problem), "name")


def best_campaign(campaigns: Iterable[Campaign]) -> Campaign | None:
    """Campaigns do not stack: the highest multiplier applies (ties: the earliest id)."""
    ranked = sorted(campaigns, key=lambda c: (-c.multiplier, c.campaign_id))
    return ranked[0] if ranked else None
