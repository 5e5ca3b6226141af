"""The command's unit of work: the one transaction every handler and port writes in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from guildcard.db.batch import WriteBatch
from guildcard.kernel.actors import Actor


@dataclass(frozen=True)
class Event:
    """Something that happened, written to the outbox in the command's transaction."""

    name: str  # "counter.purchase_recorded", "members.member_registered", ...
    subject: str  # the id of the object it is about
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditLine:
    action: str
    object_type: str
    object_id: str
    merchant_id: str | None = None
    store_id: str | None = None
    details: Mapping[str, Any] | None = None
    actor: Actor | None = None  # None: the command's actor


@dataclass
class Work:
    """Handed to a handler and, through it, to every port it calls.

    ``memo`` holds what this command has read once (settings, terms, the config version), so
    that two ports of one command never read the same thing twice.
    """

    connection: Connection
    actor: Actor
    alliance_id: str
    now: datetime
    events: list[Event] = field(default_factory=list)
    audits: list[AuditLine] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)
    deps: Any = None  # the context's dependencies (``CommandBus.provide``)
    context: str = ""  # the context whose handler runs
    # A handler that finds its work already done (a decision taken before) says so here.
    replayed: bool = False
    # Run after the handler, before the audit lines and events are written (e.g. flush buffered rows).
    before_commit: list[Callable[[], None]] = field(default_factory=list)
    # Run once the transaction has committed (e.g. remember what now exists); never on rollback.
    on_commit: list[Callable[[], None]] = field(default_factory=list)
    # Writes nothing reads back before commit: one statement on PostgreSQL, sent last.
    writes: WriteBatch = field(init=False)

    def __post_init__(self) -> None:
        self.writes = WriteBatch(self.connection)

    def emit(self, name: str, subject: str, /, **payload: Any) -> None:
        self.events.append(Event(name, subject, payload))

    def audit(
        self,
        action: str,
        *,
        object_type: str,
        object_id: str,
        merchant_id: str | None = None,
        store_id: str | None = None,
        details: Mapping[str, Any] | None = None,
        actor: Actor | None = None,
    ) -> None:
        self.audits.append(AuditLine(action, object_type, object_id, merchant_id, store_id, details, actor))
