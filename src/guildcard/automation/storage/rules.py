"""Rule, run and message rows on the command's connection (messages claimed SKIP LOCKED)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from guildcard.automation.domain.rules import Channel, Controls, MessageAction, MessageKind, RuleStatus
from guildcard.automation.storage.tables import automation_messages, automation_rules, automation_runs

rules_t, runs_t, msgs_t = automation_rules, automation_runs, automation_messages


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    preset: str | None
    trigger: str
    condition: str
    actions: tuple[MessageAction, ...]
    controls: Controls
    status: RuleStatus
    created_at: datetime
    params: Mapping[str, Any] = field(default_factory=dict)  # a schedule's days / date


@dataclass(frozen=True)
class Message:
    id: str
    member_id: str
    rule_id: str | None
    channel: Channel
    kind: MessageKind
    title: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    read_at: datetime | None
    created_at: datetime
    alliance_id: str = ""  # whose member (what a channel's phone look-up needs)


def controls_json(c: Controls) -> dict[str, Any]:
    out = asdict(c)
    for k in ("starts_at", "ends_at"):
        out[k] = out[k].isoformat() if out[k] else None
    return out


def _controls(raw: dict[str, Any]) -> Controls:
    values = dict(raw)
    for k in ("starts_at", "ends_at"):
        values[k] = datetime.fromisoformat(values[k]) if values.get(k) else None
    return Controls(**values)


def _action(raw: dict[str, Any]) -> MessageAction:
    return MessageAction(Channel(raw["channel"]), MessageKind(raw["kind"]), raw["title"], raw["body"])


def _rule(r: Any) -> Rule:
    return Rule(
        r.id, r.name, r.preset, r.trigger, r.condition, tuple(_action(a) for a in r.actions),
        _controls(r.controls), RuleStatus(r.status), r.created_at, dict(r.params or {}),
    )  # fmt: skip


def _message(r: Any) -> Message:
    return Message(
        r.id, r.member_id, r.rule_id, Channel(r.channel), MessageKind(r.kind), r.title, r.body, r.status,
        int(r.attempts), r.next_attempt_at, r.last_error, r.sent_at, r.read_at, r.created_at, r.alliance_id,
    )  # fmt: skip


class RuleRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn = conn
        self.alliance_id = alliance_id

    # --- rules ----------------------------------------------------------------------------

    def add_rule(self, rule: Rule, *, by: str) -> None:
        self.conn.execute(
            insert(rules_t).values(
                alliance_id=self.alliance_id, id=rule.id, name=rule.name, preset=rule.preset,
                trigger=rule.trigger, condition=rule.condition,
                actions=[{**asdict(a), "channel": a.channel.value, "kind": a.kind.value}
                         for a in rule.actions],
                controls=controls_json(rule.controls), status=rule.status.value, created_at=rule.created_at,
                created_by=by, updated_at=rule.created_at, params=dict(rule.params),
            )
        )  # fmt: skip

    def set_status(self, rule_id: str, status: RuleStatus, *, now: datetime) -> None:
        self.conn.execute(
            update(rules_t)
            .where(rules_t.c.alliance_id == self.alliance_id, rules_t.c.id == rule_id)
            .values(status=status.value, updated_at=now)
        )

    def rule(self, rule_id: str) -> Rule | None:
        row = self.conn.execute(
            select(rules_t).where(rules_t.c.alliance_id == self.alliance_id, rules_t.c.id == rule_id)
        ).first()
        return _rule(row) if row else None

    def rules(
        self, *, status: RuleStatus | None = None, triggers: Iterable[str] | None = None, claim: bool = False
    ) -> list[Rule]:
        """The alliance's rules; ``claim``: locked for this transaction, skipping those another
        worker holds (``SKIP LOCKED`` on PostgreSQL), so one worker evaluates a schedule at a time."""
        stmt = select(rules_t).where(rules_t.c.alliance_id == self.alliance_id)
        if status is not None:
            stmt = stmt.where(rules_t.c.status == status.value)
        if triggers is not None:
            stmt = stmt.where(rules_t.c.trigger.in_(set(triggers)))
        if claim:
            stmt = stmt.with_for_update(skip_locked=True)
        return [_rule(r) for r in self.conn.execute(stmt.order_by(rules_t.c.id))]

    # --- runs -----------------------------------------------------------------------------

    def ran(self, rule_id: str, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (member, occurrence) pairs this rule already ran for."""
        wanted = set(keys)
        if not wanted:
            return set()
        rows = self.conn.execute(
            select(runs_t.c.member_id, runs_t.c.occurrence).where(
                runs_t.c.alliance_id == self.alliance_id, runs_t.c.rule_id == rule_id,
                runs_t.c.occurrence.in_({o for _m, o in wanted}),
            )
        )  # fmt: skip
        return {(m, o) for m, o in rows} & wanted

    def add_runs(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(runs_t), [{"alliance_id": self.alliance_id, **r} for r in rows])

    def reached(self, rule_id: str) -> int:
        """Members this rule has sent to (what its budget counts)."""
        return int(
            self.conn.execute(
                select(func.count()).where(
                    runs_t.c.alliance_id == self.alliance_id, runs_t.c.rule_id == rule_id,
                    runs_t.c.outcome == "sent",
                )
            ).scalar_one()
        )  # fmt: skip

    def run_counts(self) -> dict[tuple[str, str], int]:
        rows = self.conn.execute(
            select(runs_t.c.rule_id, runs_t.c.outcome, func.count())
            .where(runs_t.c.alliance_id == self.alliance_id)
            .group_by(runs_t.c.rule_id, runs_t.c.outcome)
        )
        return {(r, o): int(n) for r, o, n in rows}

    def runs(self, *, rule_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        stmt = select(runs_t).where(runs_t.c.alliance_id == self.alliance_id)
        if rule_id:
            stmt = stmt.where(runs_t.c.rule_id == rule_id)
        return [dict(r._mapping) for r in self.conn.execute(stmt.order_by(runs_t.c.id.desc()).limit(limit))]

    # --- messages -------------------------------------------------------------------------

    def messages_since(self, member_ids: Iterable[str], since: datetime) -> dict[str, int]:
        """Messages each member was sent or is due (any rule) since ``since``: the frequency cap."""
        ids = set(member_ids)
        if not ids:
            return {}
        rows = self.conn.execute(
            select(msgs_t.c.member_id, func.count())
            .where(
                msgs_t.c.alliance_id == self.alliance_id, msgs_t.c.member_id.in_(ids),
                msgs_t.c.rule_id.is_not(None), msgs_t.c.created_at >= since,
            )
            .group_by(msgs_t.c.member_id)
        )  # fmt: skip
        return {m: int(n) for m, n in rows}

    def add_messages(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(msgs_t), [{"alliance_id": self.alliance_id, **r} for r in rows])

    def message(self, message_id: str) -> Message | None:
        row = self.conn.execute(
            select(msgs_t).where(msgs_t.c.alliance_id == self.alliance_id, msgs_t.c.id == message_id)
        ).first()
        return _message(row) if row else None

    def messages(
        self, *, member_id: str | None = None, status: str | None = None, channel: Channel | None = None,
        limit: int = 100,
    ) -> list[Message]:  # fmt: skip
        stmt = select(msgs_t).where(msgs_t.c.alliance_id == self.alliance_id)
        if member_id:
            stmt = stmt.where(msgs_t.c.member_id == member_id)
        if status:
            stmt = stmt.where(msgs_t.c.status == status)
        if channel:
            stmt = stmt.where(msgs_t.c.channel == channel.value)
        return [_message(r) for r in self.conn.execute(stmt.order_by(msgs_t.c.id.desc()).limit(limit))]

    def unread(self, member_id: str) -> int:
        return int(
            self.conn.execute(
                select(func.count()).where(
                    msgs_t.c.alliance_id == self.alliance_id, msgs_t.c.member_id == member_id,
                    msgs_t.c.channel == Channel.INBOX.value, msgs_t.c.status == "sent",
                    msgs_t.c.read_at.is_(None),
                )
            ).scalar_one()
        )  # fmt: skip

    def claim_due(self, *, now: datetime, lease_until: datetime, limit: int) -> list[Message]:
        """Pending messages due now, leased to this worker (``SKIP LOCKED`` on PostgreSQL)."""
        due = (
            select(msgs_t)
            .where(
                msgs_t.c.alliance_id == self.alliance_id, msgs_t.c.status == "pending",
                or_(msgs_t.c.next_attempt_at.is_(None), msgs_t.c.next_attempt_at <= now),
                or_(msgs_t.c.lease_until.is_(None), msgs_t.c.lease_until <= now),
            )
            .order_by(msgs_t.c.next_attempt_at, msgs_t.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )  # fmt: skip
        claimed = [_message(r) for r in self.conn.execute(due)]
        if claimed:
            self.conn.execute(
                update(msgs_t)
                .where(msgs_t.c.alliance_id == self.alliance_id, msgs_t.c.id.in_([m.id for m in claimed]))
                .values(lease_until=lease_until)
            )
        return claimed

    def update_message(self, message_id: str, **values: Any) -> None:
        self.conn.execute(
            update(msgs_t)
            .where(msgs_t.c.alliance_id == self.alliance_id, msgs_t.c.id == message_id)
            .values(**values)
        )

    def mark_read(self, member_id: str, message_ids: Iterable[str] | None, *, now: datetime) -> int:
        where = [
            msgs_t.c.alliance_id == self.alliance_id, msgs_t.c.member_id == member_id,
            msgs_t.c.channel == Channel.INBOX.value, msgs_t.c.read_at.is_(None), msgs_t.c.status == "sent",
        ]  # fmt: skip
        if message_ids is not None:
            where.append(msgs_t.c.id.in_(set(message_ids)))
        return int(self.conn.execute(update(msgs_t).where(and_(*where)).values(read_at=now)).rowcount or 0)


def alliances_with_due_messages(conn: Connection, now: datetime) -> list[str]:
    rows = conn.execute(
        select(msgs_t.c.alliance_id)
        .where(
            msgs_t.c.status == "pending",
            or_(msgs_t.c.next_attempt_at.is_(None), msgs_t.c.next_attempt_at <= now),
        )
        .distinct()
    )
    return [r[0] for r in rows]
