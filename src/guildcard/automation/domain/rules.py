"""Automation rules: a trigger, a condition (``rule-engine``), actions and controls. Pure.

A rule reads: *when* a member registers / buys / changes tier, *if* ``payable_fen >= 10000``
(a small expression over the event's fields and the local hour), *do* send a message from a
template (``$points_earned 积分已到账``), *within* a frequency cap per member, outside quiet hours
(Asia/Shanghai), while its budget lasts, between its start and end, unless paused.

``rule-engine`` refuses an unknown symbol or a wrong type when the rule is compiled (we give it
the trigger's symbols and their types); at evaluation a field the event lacks reads as its
type's empty value (0 or ""), so an old event never raises.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import rule_engine

from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.money import format_fen

SHANGHAI = ZoneInfo("Asia/Shanghai")
_T = rule_engine.DataType


class BadCondition(InvalidInput):
    """This condition is not a valid expression over the trigger's fields."""

    code = "automation.bad_condition"


class BadTemplate(InvalidInput):
    """This message template uses a variable the trigger does not provide."""

    code = "automation.bad_template"


class UnknownTrigger(InvalidInput):
    """No such automation trigger."""

    code = "automation.unknown_trigger"


class BadControls(InvalidInput):
    """The rule's controls are not valid (cap, quiet hours, budget, dates)."""

    code = "automation.bad_controls"


class BadSchedule(InvalidInput):
    """The schedule's setting is not valid (days out of range, not a date)."""

    code = "automation.bad_schedule"


@dataclass(frozen=True)
class Trigger:
    code: str
    event: str  # the outbox event it listens to (``schedule.*``: found by the schedule job instead)
    symbols: Mapping[str, Any]  # condition/template variables and their rule-engine types
    label_zh: str
    label_en: str

    @property
    def scheduled(self) -> bool:
        return self.event.startswith(SCHEDULE)


SCHEDULE = "schedule."  # triggers the worker's schedule job evaluates (no outbox event behind them)


_COMMON = {"hour": _T.FLOAT}  # the local (Asia/Shanghai) hour of the event
TRIGGERS: dict[str, Trigger] = {
    t.code: t
    for t in (
        Trigger(
            "purchase", "counter.purchase_recorded",
            {"merchant_id": _T.STRING, "store_id": _T.STRING, "payable_fen": _T.FLOAT, "cash_fen": _T.FLOAT,
             "points_earned": _T.FLOAT, "points_used": _T.FLOAT, "source": _T.STRING, **_COMMON},
            "消费完成", "Purchase recorded",
        ),
        Trigger(
            "registered", "members.member_registered", {"how": _T.STRING, **_COMMON},
            "会员注册", "Member registered",
        ),
        Trigger(
            "tier_changed", "loyalty.tier_changed", {"from_tier": _T.STRING, "to_tier": _T.STRING, **_COMMON},
            "等级变化", "Tier changed",
        ),
        # schedules: each member's occurrence once (this year's birthday, this quiet spell, ...)
        Trigger("birthday", SCHEDULE + "birthday", {**_COMMON}, "会员生日", "Member's birthday"),
        Trigger(
            "quiet", SCHEDULE + "quiet", {"days_quiet": _T.FLOAT, **_COMMON},
            "N 天未消费", "N days without a purchase",
        ),
        Trigger(
            "points_expiring", SCHEDULE + "points_expiring",
            {"points_expiring": _T.FLOAT, "days_left": _T.FLOAT, "expires_on": _T.STRING, **_COMMON},
            "积分即将到期", "Points about to expire",
        ),
        Trigger("on_date", SCHEDULE + "on_date", {**_COMMON}, "指定日期", "On a date"),
    )
}  # fmt: skip
BY_EVENT: dict[str, list[str]] = {}
for _t in TRIGGERS.values():
    BY_EVENT.setdefault(_t.event, []).append(_t.code)


# What a schedule trigger needs besides its condition, with its default and bounds.
SCHEDULE_DAYS = {"quiet": (60, 1, 730), "points_expiring": (30, 1, 366)}


def check_params(trigger: Trigger, params: Mapping[str, Any]) -> dict[str, Any]:
    """The trigger's settings, defaults filled in: ``days`` for quiet/expiring, ``on`` for a date."""
    if trigger.code in SCHEDULE_DAYS:
        default, low, high = SCHEDULE_DAYS[trigger.code]
        days = params.get("days", default)
        if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
            raise BadSchedule(field="days")
        return {"days": days}
    if trigger.code == "on_date":
        try:
            return {"on": date.fromisoformat(str(params.get("on", ""))).isoformat()}
        except ValueError as exc:
            raise BadSchedule(field="on") from exc
    return {}


class RuleStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class Channel(StrEnum):
    INBOX = "inbox"  # 站内信 on the member H5
    SMS = "sms"


class MessageKind(StrEnum):
    MARKETING = "marketing"  # needs the member's marketing consent
    SERVICE = "service"  # e.g. an expiry notice: follows the alliance's policy


@dataclass(frozen=True)
class Controls:
    cap_per_member: int = 1  # messages to one member across all rules ...
    cap_window_days: int = 7  # ... within this many days
    quiet_start: int | None = 22  # local hour quiet hours begin (None: none)
    quiet_end: int | None = 8  # local hour they end
    budget_runs: int | None = None  # how many members the rule may reach in all
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def check(self) -> Controls:
        hours_ok = (self.quiet_start is None) == (self.quiet_end is None) and all(
            h is None or 0 <= h <= 23 for h in (self.quiet_start, self.quiet_end)
        )
        if not (1 <= self.cap_per_member <= 100 and 1 <= self.cap_window_days <= 366 and hours_ok):
            raise BadControls(field="controls")
        if self.budget_runs is not None and self.budget_runs < 0:
            raise BadControls(field="budget_runs")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise BadControls(field="ends_at")
        return self

    def in_window(self, now: datetime) -> bool:
        return (self.starts_at is None or now >= self.starts_at) and (
            self.ends_at is None or now < self.ends_at
        )

    def send_after(self, now: datetime) -> datetime:
        """``now``, or when the quiet hours around it end (in Asia/Shanghai)."""
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return now
        local = now.astimezone(SHANGHAI)
        start, end, hour = self.quiet_start, self.quiet_end, local.hour
        quiet = start <= hour < end if start < end else hour >= start or hour < end
        if not quiet:
            return now
        day = local.date() if hour < end else local.date() + timedelta(days=1)
        return datetime.combine(day, time(end), SHANGHAI).astimezone(now.tzinfo)


@dataclass(frozen=True)
class MessageAction:
    channel: Channel
    kind: MessageKind
    title: str
    body: str  # a ``string.Template``: ``$points_earned``


def compile_condition(trigger: Trigger, text: str) -> rule_engine.Rule | None:
    """The compiled condition (None for an empty one: always true); ``BadCondition`` otherwise."""
    if not text.strip():
        return None
    context = rule_engine.Context(type_resolver=rule_engine.type_resolver_from_dict(dict(trigger.symbols)))
    try:
        return rule_engine.Rule(text, context=context)
    except rule_engine.errors.EngineError as exc:
        raise BadCondition(field="condition", reason=str(exc)) from exc


def check_template(trigger: Trigger, action: MessageAction) -> MessageAction:
    known = set(trigger.symbols) | {"name"} | {_yuan_name(n) for n in trigger.symbols if n.endswith("_fen")}
    for part, text in (("title", action.title), ("body", action.body)):
        try:
            used = {m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(text)}
        except ValueError as exc:  # pragma: no cover - finditer does not raise
            raise BadTemplate(field=part) from exc
        if (
            (used - {None}) - known
            or not text.strip()
            or any(m.group("invalid") is not None for m in string.Template.pattern.finditer(text))
        ):
            raise BadTemplate(field=part)
    return action


def facts(trigger: Trigger, payload: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """The condition's values: each symbol from the event, a missing one as its type's empty value."""
    values: dict[str, Any] = {}
    for name, kind in trigger.symbols.items():
        raw = payload.get(name)
        if kind is _T.FLOAT:
            values[name] = float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else 0.0
        else:
            values[name] = "" if raw is None else str(raw)
    values["hour"] = float(at.astimezone(SHANGHAI).hour)
    return values


def matches(rule: rule_engine.Rule | None, values: Mapping[str, Any]) -> bool:
    return True if rule is None else bool(rule.matches(dict(values)))


def _yuan_name(name: str) -> str:
    return name.removesuffix("_fen") + "_yuan"


def render(text: str, values: Mapping[str, Any]) -> str:
    """Fill a template; every ``*_fen`` amount is also offered as ``*_yuan`` (¥12.30), which is what
    a member reads (conditions compare fen, messages speak yuan)."""
    shown = {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in values.items()}
    for name, value in values.items():
        if name.endswith("_fen") and isinstance(value, int | float):
            shown[_yuan_name(name)] = format_fen(int(value))
    return string.Template(text).safe_substitute(shown)


# --- presets: one click, sensible defaults ---------------------------------------------------


@dataclass(frozen=True)
class Preset:
    code: str
    name: str
    trigger: str
    condition: str
    action: MessageAction
    controls: Controls
    params: Mapping[str, Any] = field(default_factory=dict)


PRESETS: dict[str, Preset] = {
    p.code: p
    for p in (
        Preset(
            "welcome", "新客欢迎", "registered", "",
            MessageAction(Channel.INBOX, MessageKind.MARKETING, "欢迎加入联盟",
                          "欢迎成为联盟会员！在任一联盟商户消费即可累积积分。"),
            Controls(cap_per_member=3, cap_window_days=1),
        ),
        Preset(
            "first_order_gift", "新客首单礼", "purchase", "points_earned > 0",
            MessageAction(Channel.INBOX, MessageKind.MARKETING, "首单积分已到账",
                          "感谢光临！本次消费获得 $points_earned 积分，下次消费可抵现。"),
            Controls(cap_per_member=1, cap_window_days=30),
        ),
        Preset(
            "big_spender", "大额消费感谢", "purchase", "payable_fen >= 50000",
            MessageAction(Channel.INBOX, MessageKind.MARKETING, "感谢您的支持",
                          "您本次消费 $payable_yuan，已获得 $points_earned 积分。"),
            Controls(cap_per_member=2, cap_window_days=7),
        ),
        Preset(
            "tier_upgrade", "升级祝贺", "tier_changed", "to_tier != ''",
            MessageAction(Channel.INBOX, MessageKind.SERVICE, "会员等级变更",
                          "您的会员等级已变更为 $to_tier，可享受新等级权益。"),
            Controls(cap_per_member=3, cap_window_days=1, quiet_start=None, quiet_end=None),
        ),
        Preset(
            "birthday_gift", "生日礼", "birthday", "",
            MessageAction(Channel.INBOX, MessageKind.MARKETING, "生日快乐",
                          "祝您生日快乐！联盟为您准备了生日礼，到会员中心领取吧。"),
            Controls(cap_per_member=3, cap_window_days=1),
        ),
        Preset(
            "win_back", "沉睡唤醒", "quiet", "",
            MessageAction(Channel.INBOX, MessageKind.MARKETING, "好久不见",
                          "您已 $days_quiet 天没有光临联盟商户了，回来看看我们的新品和活动吧。"),
            Controls(cap_per_member=1, cap_window_days=30), {"days": 60},
        ),
        Preset(
            "points_expiring", "积分到期提醒", "points_expiring", "",
            MessageAction(Channel.INBOX, MessageKind.SERVICE, "积分即将到期",
                          "您有 $points_expiring 积分将于 $expires_on 到期，请及时使用。"),
            Controls(cap_per_member=2, cap_window_days=1), {"days": 30},
        ),
    )
}  # fmt: skip
