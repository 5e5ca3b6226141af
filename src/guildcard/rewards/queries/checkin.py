"""The member's check-in calendar: the month, today's reward, the streak and the next milestone."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from guildcard.rewards.domain.checkin import (
    CheckinReward,
    CheckinRules,
    Milestone,
    next_milestone,
    reward_for,
    streak_on,
)
from guildcard.rewards.storage.checkin_repository import CheckinRepository


@dataclass(frozen=True)
class CalendarDay:
    day: date
    checked: bool
    makeup: bool
    points: int
    can_make_up: bool


@dataclass(frozen=True)
class CheckinCalendar:
    month: str
    days: tuple[CalendarDay, ...]
    leading_blanks: int  # Monday-first grid
    checked_today: bool
    streak: int
    today_reward: CheckinReward
    next: Milestone | None
    makeups_left: int
    makeup_price: int
    month_count: int
    rules: CheckinRules


class CheckinQueries:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.repo = CheckinRepository(conn, alliance_id)

    def rules(self) -> CheckinRules:
        return self.repo.rules()

    def count(self) -> int:
        return self.repo.count()

    def calendar(self, member_id: str, today: date) -> CheckinCalendar:
        rules = self.repo.rules()
        month = today.isoformat()[:7]
        rows = {date.fromisoformat(r.day): r for r in self.repo.month(member_id, month)}
        checked_today = today in rows
        yesterday = self.repo.row(member_id, today - timedelta(days=1))
        if checked_today:
            streak = int(rows[today].streak)
            upcoming = streak_on(today + timedelta(days=1), streak, rules)
            today_reward = reward_for(streak=streak, month_count=len(rows), rules=rules)
        else:
            streak = 0 if yesterday is None else int(yesterday.streak)
            upcoming = streak_on(today, None if yesterday is None else streak, rules)
            today_reward = reward_for(streak=upcoming, month_count=len(rows) + 1, rules=rules)
        makeups_used = sum(1 for r in rows.values() if r.makeup)
        last_day = calendar.monthrange(today.year, today.month)[1]
        days = tuple(
            CalendarDay(
                d,
                d in rows,
                bool(rows[d].makeup) if d in rows else False,
                int(rows[d].points) if d in rows else 0,
                d < today and d not in rows,
            )
            for d in (today.replace(day=n) for n in range(1, last_day + 1))
        )
        return CheckinCalendar(
            month=month, days=days, leading_blanks=today.replace(day=1).isoweekday() - 1,
            checked_today=checked_today, streak=streak, today_reward=today_reward,
            next=next_milestone(streak=upcoming - 1, month_count=len(rows), rules=rules),
            makeups_left=max(0, rules.makeup_per_month - makeups_used),
            makeup_price=rules.makeup_price_points,
            month_count=len(rows), rules=rules,
        )  # fmt: skip
