"""Reads for the operator's automation page (``/ops/automation``) and the member's inbox
(``/m/inbox``): rules with their counts, the latest runs and messages, dead letters, a member's
inbox newest first with its unread count. Every read is scoped to one alliance (and one member)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from guildcard.automation.domain.rules import Channel
from guildcard.automation.storage.preferences import opted_out
from guildcard.automation.storage.rules import Message, Rule, RuleRepository

__all__ = ["Console", "Inbox", "Message", "Rule", "RuleRow", "Run", "console", "inbox", "rule", "unread"]


@dataclass(frozen=True)
class RuleRow:
    rule: Rule
    outcomes: dict[str, int]  # runs per outcome (sent, no_consent, capped, over_budget)

    @property
    def reached(self) -> int:
        return self.outcomes.get("sent", 0)


@dataclass(frozen=True)
class Run:
    id: str
    rule_id: str
    member_id: str
    outcome: str
    at: object


@dataclass(frozen=True)
class Console:
    rules: tuple[RuleRow, ...]
    runs: tuple[Run, ...]
    messages: tuple[Message, ...]
    dead: tuple[Message, ...]


def console(conn: Connection, alliance_id: str, *, latest: int = 30) -> Console:
    repo = RuleRepository(conn, alliance_id)
    counts = repo.run_counts()
    rows = []
    for rule in repo.rules():
        outcomes = {o: n for (r, o), n in counts.items() if r == rule.id}
        rows.append(RuleRow(rule, outcomes))
    runs = tuple(
        Run(r["id"], r["rule_id"], r["member_id"], r["outcome"], r["at"]) for r in repo.runs(limit=latest)
    )
    return Console(
        tuple(rows), runs, tuple(repo.messages(limit=latest)), tuple(repo.messages(status="dead", limit=100))
    )


def rule(conn: Connection, alliance_id: str, rule_id: str) -> Rule | None:
    return RuleRepository(conn, alliance_id).rule(rule_id)


@dataclass(frozen=True)
class Inbox:
    messages: tuple[Message, ...]
    unread: int


def inbox(conn: Connection, alliance_id: str, member_id: str, *, limit: int = 100) -> Inbox:
    """The member's delivered in-app messages, newest first (pending ones are not shown yet)."""
    repo = RuleRepository(conn, alliance_id)
    shown = repo.messages(member_id=member_id, status="sent", channel=Channel.INBOX, limit=limit)
    return Inbox(tuple(shown), repo.unread(member_id))


def unread(conn: Connection, alliance_id: str, member_id: str) -> int:
    return RuleRepository(conn, alliance_id).unread(member_id)


def turned_off(conn: Connection, alliance_id: str, member_id: str) -> set[tuple[str, str]]:
    """The (channel, kind) pairs the member turned off (their message preferences page)."""
    return {(c, k) for _m, c, k in opted_out(conn, alliance_id, {member_id})}
