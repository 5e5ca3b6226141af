"""The event outbox: events are rows written in the command's own transaction.

A command's events commit or roll back with it, so a consumer (automation, messages,
webhooks) never sees an event of a write that did not happen, and never misses one that
did. Consumers read ``pending`` after commit, in the order written, and mark what they
delivered with ``mark_published``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from guildcard.db.tables import outbox_events as table
from guildcard.kernel.ids import new_id
from guildcard.pipeline.work import Event


@dataclass(frozen=True)
class StoredEvent:
    id: str
    alliance_id: str
    name: str
    subject: str
    payload: dict[str, Any]
    occurred_at: datetime


def append(conn: Connection, alliance_id: str, events: Sequence[Event], *, at: datetime) -> None:
    """One multi-row insert for all of a command's events."""
    if events:
        conn.execute(insert(table), rows(alliance_id, events, at=at))


def rows(alliance_id: str, events: Sequence[Event], *, at: datetime) -> list[dict[str, Any]]:
    """The outbox rows of a command's events (the command bus writes them in its batch)."""
    return [
        {
            "alliance_id": alliance_id, "id": new_id("evt"), "name": e.name, "subject": e.subject,
            "payload": dict(e.payload), "occurred_at": at, "published_at": None,
        }
        for e in events
    ]  # fmt: skip


def pending(conn: Connection, alliance_id: str, *, limit: int = 500) -> list[StoredEvent]:
    rows = conn.execute(
        select(table)
        .where(table.c.alliance_id == alliance_id, table.c.published_at.is_(None))
        .order_by(table.c.id)
        .limit(limit)
    )
    return [StoredEvent(r.id, r.alliance_id, r.name, r.subject, dict(r.payload), r.occurred_at) for r in rows]


def counts(conn: Connection, alliance_id: str) -> dict[str, int]:
    """How many events of each name the alliance's commands wrote (delivered or not)."""
    rows = conn.execute(
        select(table.c.name, func.count()).where(table.c.alliance_id == alliance_id).group_by(table.c.name)
    )
    return {name: int(n) for name, n in sorted(rows.all())}


def mark_published(conn: Connection, alliance_id: str, ids: Iterable[str], *, at: datetime) -> int:
    ids = list(ids)
    if not ids:
        return 0
    result = conn.execute(
        update(table)
        .where(table.c.alliance_id == alliance_id, table.c.id.in_(ids), table.c.published_at.is_(None))
        .values(published_at=at)
    )
    return int(result.rowcount or 0)


def claim_pending(conn: Connection, alliance_id: str, *, limit: int = 500) -> list[StoredEvent]:
    """Pending events locked for this transaction's consumer, in the order written.

    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: concurrent dispatchers take disjoint events and
    none waits for another. SQLite runs one writer at a time (``BEGIN IMMEDIATE``), so the lock
    is the transaction itself. Mark what was handled with ``mark_published`` before commit.
    """
    rows = conn.execute(
        select(table)
        .where(table.c.alliance_id == alliance_id, table.c.published_at.is_(None))
        .order_by(table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [StoredEvent(r.id, r.alliance_id, r.name, r.subject, dict(r.payload), r.occurred_at) for r in rows]


def alliances_with_pending(conn: Connection) -> list[str]:
    """The alliances that have events nobody has consumed yet."""
    rows = conn.execute(select(table.c.alliance_id).where(table.c.published_at.is_(None)).distinct())
    return sorted(rows.scalars())


def after(
    conn: Connection, alliance_id: str, after_id: str, names: Sequence[str], *, limit: int = 5000
) -> list[StoredEvent]:
    """Events of these names written after ``after_id`` (delivered or not), in order (a reader's cursor)."""
    rows = conn.execute(
        select(table)
        .where(table.c.alliance_id == alliance_id, table.c.id > after_id, table.c.name.in_(list(names)))
        .order_by(table.c.id)
        .limit(limit)
    )
    return [StoredEvent(r.id, r.alliance_id, r.name, r.subject, dict(r.payload), r.occurred_at) for r in rows]
