"""Rule commands (create, from a preset, pause/resume), the outbox consumer that runs them, the dry run.

The consumer runs in the dispatcher's transaction: for each (active rule, event with a member)
it writes one ``automation_runs`` row per (rule, member, occurrence) and, when every control
passes, the rule's messages into the message outbox; both commit with the event's
``published`` mark, so a rule acts at most once per occurrence however many workers run.
The dry run evaluates the same decisions on recent events and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from guildcard.automation.domain import rules as dom
from guildcard.automation.domain.rules import Controls, MessageAction, MessageKind, RuleStatus
from guildcard.automation.handlers.base import (
    ScheduleSource,
    deps_of,
    handlers,
    may_manage_rules,
    no_schedules,
)
from guildcard.automation.storage.preferences import opted_out
from guildcard.automation.storage.rules import Rule, RuleRepository
from guildcard.db.tables import outbox_events
from guildcard.kernel.errors import NotFound
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work
from guildcard.pipeline.outbox import StoredEvent


class RuleNotFound(NotFound):
    """No such automation rule."""

    code = "automation.rule_not_found"


def _repo(work: Work) -> RuleRepository:
    return RuleRepository(work.connection, work.alliance_id)


@dataclass(frozen=True, kw_only=True)
class CreateRule(Command):
    scope = "automation.rule_create"
    name: str
    trigger: str
    condition: str = ""
    actions: tuple[MessageAction, ...] = ()
    controls: Controls = field(default_factory=Controls)
    preset: str | None = None
    paused: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)  # a schedule's ``days`` / ``on``


def draft(command: CreateRule, *, now: datetime) -> Rule:
    """The rule a ``CreateRule`` describes, checked (trigger, condition, templates, controls), unsaved:
    what ``create_rule`` stores and what a dry run of a form tries."""
    trigger = dom.TRIGGERS.get(command.trigger)
    if trigger is None:
        raise dom.UnknownTrigger(field="trigger")
    dom.compile_condition(trigger, command.condition)
    if not command.actions:
        raise dom.BadTemplate(field="actions")
    actions = tuple(dom.check_template(trigger, a) for a in command.actions)
    return Rule(
        new_id("aut"), command.name.strip()[:100] or trigger.label_zh, command.preset, trigger.code,
        command.condition.strip(), actions, command.controls.check(),
        RuleStatus.PAUSED if command.paused else RuleStatus.ACTIVE, now,
        dom.check_params(trigger, command.params),
    )  # fmt: skip


@handlers.register(authorize=may_manage_rules)
def create_rule(command: CreateRule, work: Work) -> Rule:
    rule = draft(command, now=work.now)
    _repo(work).add_rule(rule, by=work.actor.id)
    work.audit(
        "automation.rule_create", object_type="automation_rule", object_id=rule.id,
        details={"trigger": rule.trigger, "condition": rule.condition, "preset": rule.preset,
                 "params": dict(rule.params)},
    )  # fmt: skip
    return rule


def preset_command(code: str, *, idempotency_key: str, paused: bool = False) -> CreateRule:
    """The one-click rule of a preset, with its defaults."""
    preset = dom.PRESETS.get(code)
    if preset is None:
        raise dom.UnknownTrigger(field="preset")
    return CreateRule(
        name=preset.name, trigger=preset.trigger, condition=preset.condition, actions=(preset.action,),
        controls=preset.controls, preset=code, paused=paused, params=dict(preset.params),
        idempotency_key=idempotency_key,
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class SetRuleStatus(Command):
    scope = "automation.rule_status"
    rule_id: str
    active: bool


@handlers.register(authorize=may_manage_rules)
def set_rule_status(command: SetRuleStatus, work: Work) -> Rule:
    rule = _repo(work).rule(command.rule_id)
    if rule is None:
        raise RuleNotFound()
    status = RuleStatus.ACTIVE if command.active else RuleStatus.PAUSED
    _repo(work).set_status(rule.id, status, now=work.now)
    work.audit(f"automation.rule_{status.value}", object_type="automation_rule", object_id=rule.id)
    return replace(rule, status=status)


# --- deciding: shared by the consumer and the dry run ---------------------------------------


@dataclass(frozen=True)
class Decision:
    rule_id: str
    member_id: str
    occurrence: str
    outcome: str  # sent, no_consent, opted_out, capped, over_budget
    messages: tuple[dict[str, Any], ...]  # title, body, channel, kind, send_after


def decide(
    repo: RuleRepository, rules: Sequence[Rule], events: Sequence[StoredEvent], *, now: datetime,
    consenting: set[str],
) -> list[Decision]:  # fmt: skip
    """What the active rules do for these events, in order, counting the caps as they fill."""
    decisions: list[Decision] = []
    sent_to: dict[str, int] = {}  # messages decided in this batch, per member (the cap spans rules)
    caps: dict[str, dict[str, int]] = {}
    for rule in rules:
        if rule.status is not RuleStatus.ACTIVE or not rule.controls.in_window(now):
            continue
        trigger = dom.TRIGGERS[rule.trigger]
        condition = dom.compile_condition(trigger, rule.condition)
        hits = [
            (e, str(e.payload["member_id"]))
            for e in events
            if e.name == trigger.event and e.payload.get("member_id")
        ]
        done = repo.ran(rule.id, ((m, e.id) for e, m in hits))
        budget_left = (
            None if rule.controls.budget_runs is None else rule.controls.budget_runs - repo.reached(rule.id)
        )
        refused = opted_out(repo.conn, repo.alliance_id, {m for _e, m in hits})
        window = f"{rule.controls.cap_window_days}"
        if window not in caps:
            since = now - timedelta(days=rule.controls.cap_window_days)
            caps[window] = repo.messages_since({m for _e, m in hits}, since)
        for event, member in hits:
            if (member, event.id) in done:
                continue
            values = dom.facts(trigger, event.payload, event.occurred_at)
            if not dom.matches(condition, values):
                continue
            done.add((member, event.id))
            so_far = caps[window].get(member, 0) + sent_to.get(member, 0)
            wanted = [a for a in rule.actions if (member, a.channel.value, a.kind.value) not in refused]
            outcome = _outcome(
                rule, wanted, consented=member in consenting, so_far=so_far, budget_left=budget_left
            )
            messages: tuple[dict[str, Any], ...] = ()
            if outcome == "sent":
                sent_to[member] = sent_to.get(member, 0) + len(wanted)
                if budget_left is not None:
                    budget_left -= 1
                after = rule.controls.send_after(now)
                messages = tuple(
                    {"channel": a.channel.value, "kind": a.kind.value, "send_after": after,
                     "title": dom.render(a.title, values)[:100], "body": dom.render(a.body, values)[:1000]}
                    for a in wanted
                )  # fmt: skip
            decisions.append(Decision(rule.id, member, event.id, outcome, messages))
    return decisions


def _outcome(
    rule: Rule, wanted: Sequence[MessageAction], *, consented: bool, so_far: int, budget_left: int | None
) -> str:
    """Whether the rule acts for this member now, or which control stops it."""
    if any(a.kind is MessageKind.MARKETING for a in rule.actions) and not consented:
        return "no_consent"
    if not wanted:
        return "opted_out"  # the member turned these messages off (H5 preferences)
    if so_far + len(wanted) > rule.controls.cap_per_member:
        return "capped"
    if budget_left is not None and budget_left <= 0:
        return "over_budget"
    return "sent"


def run_rules(work: Work, events: Sequence[StoredEvent]) -> int:
    """The outbox consumer: one run per (rule, member, occurrence), messages into the outbox."""
    if not any(e.name in dom.BY_EVENT for e in events):
        return 0
    repo = _repo(work)
    rules = repo.rules(status=RuleStatus.ACTIVE)
    if not rules:
        return 0
    members = {str(e.payload["member_id"]) for e in events if e.payload.get("member_id")}
    consenting = deps_of(work).marketing_consent(work, members) if members else set()
    return record(work, repo, decide(repo, rules, events, now=work.now, consenting=consenting))


def record(work: Work, repo: RuleRepository, decisions: Sequence[Decision]) -> int:
    """The decisions' runs and their messages, written on the command's connection."""
    runs, messages = [], []
    for d in decisions:
        run_id = new_id("arn")
        runs.append({"id": run_id, "rule_id": d.rule_id, "member_id": d.member_id, "occurrence": d.occurrence,
                     "outcome": d.outcome, "at": work.now})  # fmt: skip
        for m in d.messages:
            messages.append({
                "id": new_id("msg"), "member_id": d.member_id, "rule_id": d.rule_id, "run_id": run_id,
                "channel": m["channel"], "kind": m["kind"], "title": m["title"], "body": m["body"],
                "status": "pending", "attempts": 0, "next_attempt_at": m["send_after"], "lease_until": None,
                "last_error": None, "sent_at": None, "read_at": None, "created_at": work.now,
            })  # fmt: skip
    repo.add_runs(runs)
    repo.add_messages(messages)
    return len(messages)


def occurrences(
    conn: Connection, alliance_id: str, rule: Rule, source: ScheduleSource, *, now: datetime
) -> list[StoredEvent]:
    """The rule's occurrences now, as the events ``decide`` reads (the key is the event id)."""
    trigger = dom.TRIGGERS[rule.trigger]
    return [
        StoredEvent(
            o.key, alliance_id, trigger.event, o.member_id, {"member_id": o.member_id, **o.facts}, now
        )
        for o in source(conn, alliance_id, rule.trigger, rule.params, now)
    ]


# --- the dry run: a read ----------------------------------------------------------------------


@dataclass(frozen=True)
class DryRun:
    events: int  # recent events of the trigger looked at
    reached: int  # members who would get the messages
    outcomes: dict[str, int]
    sample: tuple[Decision, ...]


def dry_run(
    conn: Connection, alliance_id: str, rule: Rule, *, now: datetime, consenting: set[str], recent: int = 500,
    schedules: ScheduleSource = no_schedules,
) -> DryRun:  # fmt: skip
    """The rule, as if active, over the trigger's latest events (a schedule: the members it reaches
    now): who would be hit and with what."""
    trigger = dom.TRIGGERS[rule.trigger]
    if trigger.scheduled:
        events = occurrences(conn, alliance_id, rule, schedules, now=now)
    else:
        t = outbox_events.c
        rows = conn.execute(
            select(outbox_events)
            .where(t.alliance_id == alliance_id, t.name == trigger.event)
            .order_by(t.id.desc())
            .limit(recent)
        )
        events = [
            StoredEvent(r.id, r.alliance_id, r.name, r.subject, dict(r.payload), r.occurred_at) for r in rows
        ]
        events.reverse()
    trial = replace(rule, status=RuleStatus.ACTIVE)
    decisions = decide(RuleRepository(conn, alliance_id), [trial], events, now=now, consenting=consenting)
    outcomes: dict[str, int] = {}
    for d in decisions:
        outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
    reached = len({d.member_id for d in decisions if d.outcome == "sent"})
    return DryRun(len(events), reached, outcomes, tuple(d for d in decisions if d.outcome == "sent")[:10])
