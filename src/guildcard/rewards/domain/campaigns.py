"""Reward campaigns: gifts (registration, birthday, spend threshold 满额送) and the cross-trade stamp trail.

A campaign rewards a member once per period (registration: once; birthday: once a year;
spend threshold and stamp trail: once per campaign) with points (from ``platform:grants`` or a
funding merchant's ``issued`` account) and/or a coupon. A budget of points (and a per-member
cap) is consumed by a conditional update in the transaction that gives the reward: when it
runs out the campaign gives no more points, never more than the budget under concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from guildcard.kernel.clock import business_date
from guildcard.kernel.errors import Conflict, InvalidInput, NotFound


class CampaignKind(StrEnum):
    REGISTRATION = "registration"  # 注册礼
    BIRTHDAY = "birthday"  # 生日礼: in the birthday month, or on the day (Shanghai)
    SPEND_THRESHOLD = "spend_threshold"  # 满额送: spend >= X within the window
    STAMP_TRAIL = "stamp_trail"  # 跨业态打卡: buy at N different trades (or named merchants)


class BirthdayRule(StrEnum):
    MONTH = "month"
    DAY = "day"


class RewardCampaignInvalid(InvalidInput):
    """The reward campaign is not valid."""

    code = "rewards.campaign_invalid"


class RewardCampaignNotFound(NotFound):
    """No such reward campaign."""

    code = "rewards.campaign_not_found"


class RewardCampaignEnded(Conflict):
    """The reward campaign has already ended."""

    code = "rewards.campaign_ended"


@dataclass(frozen=True, kw_only=True)
class RewardCampaign:
    campaign_id: str
    name: str
    kind: CampaignKind
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    points: int = 0  # the reward in points ...
    coupon_template_id: str | None = None  # ... and/or a coupon
    funding_merchant_id: str | None = None  # None: the alliance (platform:grants)
    budget_points: int | None = None  # None: no budget
    member_cap_points: int | None = None  # per member, over the campaign's life
    threshold_fen: int = 0  # SPEND_THRESHOLD
    merchant_ids: frozenset[str] = (
        frozenset()
    )  # SPEND_THRESHOLD: where spending counts; STAMP_TRAIL: named merchants
    stamps_needed: int = 0  # STAMP_TRAIL: how many different trades (or named merchants)
    trades: frozenset[str] = frozenset()  # STAMP_TRAIL: which trades count (empty: any)
    birthday_rule: BirthdayRule = BirthdayRule.MONTH
    active: bool = True
    given_points: int = 0
    given_rewards: int = 0

    def running_at(self, at: datetime) -> bool:
        return (
            self.active
            and (self.starts_at is None or at >= self.starts_at)
            and (self.ends_at is None or at < self.ends_at)
        )

    @property
    def budget_left(self) -> int | None:
        return None if self.budget_points is None else max(0, self.budget_points - self.given_points)


def check_campaign(c: RewardCampaign) -> RewardCampaign:
    def need(ok: bool, name: str, what: str) -> None:
        if not ok:
            raise RewardCampaignInvalid(f"{name}: expected {what}", field=name)

    need(1 <= len(c.name.strip()) <= 60, "name", "a name of 1 to 60 characters")
    need(c.points >= 0, "points", "points of zero or more")
    need(c.points > 0 or c.coupon_template_id is not None, "points", "points or a coupon as the reward")
    need(c.budget_points is None or c.budget_points > 0, "budget_points", "a budget above zero")
    need(c.member_cap_points is None or c.member_cap_points > 0, "member_cap_points", "a cap above zero")
    if c.starts_at and c.ends_at:
        need(c.starts_at < c.ends_at, "ends_at", "an end after the start")
    if c.kind is CampaignKind.SPEND_THRESHOLD:
        need(c.threshold_fen > 0, "threshold_fen", "a spending threshold above zero")
        need(c.ends_at is not None, "ends_at", "a window to spend in")
    if c.kind is CampaignKind.STAMP_TRAIL:
        need(c.stamps_needed >= 2, "stamps_needed", "two stamps or more")
        need(c.ends_at is not None, "ends_at", "a window to collect stamps in")
        if c.merchant_ids:
            need(
                c.stamps_needed <= len(c.merchant_ids), "stamps_needed", "no more stamps than named merchants"
            )
        elif c.trades:
            need(c.stamps_needed <= len(c.trades), "stamps_needed", "no more stamps than trades")
    return c


def period_of(c: RewardCampaign, at: datetime) -> str:
    """The period a reward is given once in: registration once, birthday per year, others per campaign."""
    if c.kind is CampaignKind.BIRTHDAY:
        return str(business_date(at).year)
    return "once"


def is_birthday(rule: BirthdayRule, birthday: date | None, at: datetime) -> bool:
    """In the birthday month, or on the day (Asia/Shanghai); 29 February counts on 28 February."""
    if birthday is None:
        return False
    today = business_date(at)
    if rule is BirthdayRule.MONTH:
        return today.month == birthday.month
    if (birthday.month, birthday.day) == (2, 29) and today.month == 2:
        leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
        return today.day == (29 if leap else 28)
    return (today.month, today.day) == (birthday.month, birthday.day)


def stamp_for(c: RewardCampaign, *, merchant_id: str, trade: str) -> str | None:
    """What a purchase stamps on the trail (a trade, or a named merchant), None if it doesn't count."""
    if c.merchant_ids:
        return merchant_id if merchant_id in c.merchant_ids else None
    if c.trades and trade not in c.trades:
        return None
    return trade or None


def spend_counts(c: RewardCampaign, merchant_id: str) -> bool:
    return not c.merchant_ids or merchant_id in c.merchant_ids


def points_to_give(c: RewardCampaign, member_given: int) -> int:
    """The points this reward would give, within the member's cap (the budget is a conditional update)."""
    if c.member_cap_points is None:
        return c.points
    return max(0, min(c.points, c.member_cap_points - member_given))
