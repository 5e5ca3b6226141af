"""Check-in's write commands: check in today, make up a missed day, set the alliance's rules.

Once per member and Shanghai day, by construction: the day's row has that primary key and is
inserted with ON CONFLICT DO NOTHING, so a double tap or two devices at once insert one row and
grant once (the ledger's award is idempotent on the same member and day too). Rewards come from
``platform:grants``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from guildcard.kernel.clock import FixedClock, business_date
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.service import Ledger
from guildcard.pipeline import Command, Work
from guildcard.rewards.domain.checkin import (
    CheckinReward,
    CheckinRules,
    check_rules,
    reward_for,
    streak_on,
)
from guildcard.rewards.domain.checkin_errors import (
    CheckinClosed,
    CheckinRulesInvalid,
    MakeupLimitReached,
    MakeupNotAllowed,
)
from guildcard.rewards.handlers import mall_access as access
from guildcard.rewards.handlers.base import handlers
from guildcard.rewards.storage.checkin_repository import CheckinRepository, rules_from_json, rules_to_json


@dataclass(frozen=True, kw_only=True)
class CheckIn(Command):
    scope = "rewards.checkin.check_in"


@dataclass(frozen=True, kw_only=True)
class MakeupCheckin(Command):
    scope = "rewards.checkin.makeup"
    day: date


@dataclass(frozen=True, kw_only=True)
class SetCheckinRules(Command):
    scope = "rewards.checkin.set_rules"
    changes: Mapping[str, Any] = field(default_factory=dict)  # any CheckinRules field


@dataclass(frozen=True)
class CheckinResult:
    day: date
    streak: int
    points: int
    base: int
    continuous_bonus: int
    cumulative_bonus: int
    makeup: bool = False
    makeup_cost: int = 0
    already: bool = False  # today was checked in before (a second tap, another device)


def _ledger(work: Work) -> Ledger:
    return Ledger(work.connection, alliance_id=work.alliance_id, clock=FixedClock(work.now))


@handlers.register(authorize=access.operator)
def set_checkin_rules(command: SetCheckinRules, work: Work) -> dict[str, Any]:
    repo = CheckinRepository(work.connection, work.alliance_id)
    merged = rules_to_json(repo.rules()) | dict(command.changes)
    try:
        rules = rules_from_json(merged)
    except (TypeError, ValueError) as exc:
        raise CheckinRulesInvalid(fields=sorted(command.changes)) from exc
    check_rules(rules)
    repo.save_rules(rules, actor_id=work.actor.id, now=work.now)
    work.audit("rewards.checkin.set_rules", object_type="checkin_rules", object_id=work.alliance_id,
               details={"changed": sorted(command.changes)})  # fmt: skip
    work.emit("rewards.checkin_rules_changed", work.alliance_id, changed=sorted(command.changes))
    return rules_to_json(rules)


@handlers.register(authorize=access.member)
def check_in(command: CheckIn, work: Work) -> CheckinResult:
    repo = CheckinRepository(work.connection, work.alliance_id)
    rules = repo.rules()
    if not rules.enabled:
        raise CheckinClosed()
    member_id, today = work.actor.id, business_date(work.now)
    before = repo.row(member_id, today - timedelta(days=1))
    streak = streak_on(today, None if before is None else int(before.streak), rules)
    month_count = len(repo.month(member_id, today.isoformat()[:7])) + 1
    reward = reward_for(streak=streak, month_count=month_count, rules=rules)
    if not _claim(repo, work, member_id, today, reward, makeup_cost=0):
        work.replayed = True
        return replace(_result(repo.row(member_id, today), rules, month_count - 1), already=True)
    _grant(work, repo, member_id, today, reward)
    work.emit("rewards.checked_in", member_id, day=today.isoformat(), streak=streak, points=reward.points)
    return CheckinResult(today, streak, reward.points, reward.base, reward.continuous_bonus,
                         reward.cumulative_bonus)  # fmt: skip


@handlers.register(authorize=access.member)
def makeup_checkin(command: MakeupCheckin, work: Work) -> CheckinResult:
    """Fill a missed day of this month for the rules' points price; later days' streaks join up."""
    repo = CheckinRepository(work.connection, work.alliance_id)
    rules = repo.rules()
    if not rules.enabled:
        raise CheckinClosed()
    member_id, today, day = work.actor.id, business_date(work.now), command.day
    if not (day < today and day.isoformat()[:7] == today.isoformat()[:7]):
        raise MakeupNotAllowed(day=day.isoformat())
    # The price is spent first: it takes the member's points row lock, so this member's make-ups
    # are counted one at a time.
    if rules.makeup_price_points:
        _ledger(work).spend(
            member_id=member_id, at=chart.PLATFORM_GRANTS, amount=rules.makeup_price_points,
            idempotency_key=f"checkin:{member_id}:{day.isoformat()}:makeup", kind="checkin_makeup",
            reference=f"checkin:{member_id}:{day.isoformat()}",
        )  # fmt: skip
    month = repo.month(member_id, day.isoformat()[:7])
    if sum(1 for r in month if r.makeup) >= rules.makeup_per_month:
        raise MakeupLimitReached(limit=rules.makeup_per_month)
    before = repo.row(member_id, day - timedelta(days=1))
    streak = streak_on(day, None if before is None else int(before.streak), rules)
    reward = reward_for(streak=streak, month_count=len(month) + 1, rules=rules)
    if not _claim(repo, work, member_id, day, reward, makeup_cost=rules.makeup_price_points):
        raise MakeupNotAllowed("That day is checked in already.", day=day.isoformat())
    _grant(work, repo, member_id, day, reward)
    _rejoin(repo, member_id, day, streak, rules)
    work.emit("rewards.checked_in", member_id, day=day.isoformat(), streak=streak, points=reward.points,
              makeup=True, cost=rules.makeup_price_points)  # fmt: skip
    return CheckinResult(
        day, streak, reward.points, reward.base, reward.continuous_bonus, reward.cumulative_bonus,
        makeup=True, makeup_cost=rules.makeup_price_points,
    )  # fmt: skip


def _claim(
    repo: CheckinRepository, work: Work, member_id: str, day: date, reward: CheckinReward, *, makeup_cost: int
) -> bool:
    return repo.claim_day(
        member_id, day,
        {"month": day.isoformat()[:7], "streak": reward.streak, "points": reward.points,
         "makeup": makeup_cost > 0 or day != business_date(work.now), "makeup_cost": makeup_cost,
         "entry_id": None, "created_at": work.now},
    )  # fmt: skip


def _grant(work: Work, repo: CheckinRepository, member_id: str, day: date, reward: CheckinReward) -> None:
    if reward.points <= 0:
        return
    entry = _ledger(work).award(
        member_id=member_id, issuer=chart.PLATFORM_GRANTS, amount=reward.points,
        idempotency_key=f"checkin:{member_id}:{day.isoformat()}", kind="checkin",
        reference=f"checkin:{member_id}:{day.isoformat()}",
    )  # fmt: skip
    repo.set_entry(member_id, day, entry_id=entry.entry_id)


def _rejoin(repo: CheckinRepository, member_id: str, day: date, streak: int, rules: CheckinRules) -> None:
    """After a make-up: the checked-in days that follow continue its streak (no reward changes)."""
    current, previous = day + timedelta(days=1), streak
    while repo.row(member_id, current) is not None:
        previous = streak_on(current, previous, rules)
        repo.set_entry(member_id, current, streak=previous)
        current += timedelta(days=1)


def _result(row: Any, rules: CheckinRules, month_count: int) -> CheckinResult:
    reward = reward_for(streak=int(row.streak), month_count=month_count, rules=rules)
    return CheckinResult(
        date.fromisoformat(row.day), int(row.streak), int(row.points), reward.base, reward.continuous_bonus,
        int(row.points) - reward.base - reward.continuous_bonus, makeup=bool(row.makeup),
        makeup_cost=int(row.makeup_cost),
    )  # fmt: skip
