"""Write and read the audit log.

``record`` runs inside the transaction of the action it records, so an action and its
audit line commit or roll back together. ``details`` must hold no personal data (no
phone numbers, names or passwords): ids, statuses and changed field names only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from guildcard.audit.tables import audit_log
from guildcard.kernel.actors import Actor
from guildcard.kernel.ids import new_id
from guildcard.logs import request_id_var


@dataclass(frozen=True)
class AuditEntry:
    id: str
    alliance_id: str
    at: datetime
    actor_kind: str
    actor_id: str
    action: str
    object_type: str
    object_id: str
    merchant_id: str | None
    store_id: str | None
    request_id: str | None
    details: dict[str, Any]


def record(
    conn: Connection,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    at: datetime,
    merchant_id: str | None = None,
    store_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    """Append one line for ``actor`` doing ``action`` to an object; returns its id."""
    values = line(actor, action, object_type, object_id, at, merchant_id, store_id, details)
    conn.execute(insert(audit_log).values(**values))
    return str(values["id"])


def line(  # noqa: PLR0917 - the columns of one line, in order
    actor: Actor, action: str, object_type: str, object_id: str, at: datetime, merchant_id: str | None,
    store_id: str | None, details: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    """The row of one audit line (``record`` writes it; the command bus batches a command's)."""
    return {
        "alliance_id": actor.alliance_id,
        "id": new_id("aud"),
        "at": at,
        "actor_kind": actor.kind.value,
        "actor_id": actor.id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "merchant_id": merchant_id,
        "store_id": store_id,
        "request_id": request_id_var.get(),
        "details": details or {},
    }


@dataclass(frozen=True)
class AuditFilter:
    merchant_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    before_id: str | None = None  # keyset pagination: entries older than this id
    limit: int = 100


def query(conn: Connection, alliance_id: str, where: AuditFilter) -> list[AuditEntry]:
    """Newest first, within one alliance."""
    c = audit_log.c
    stmt = select(audit_log).where(c.alliance_id == alliance_id)
    for column, value in (
        (c.merchant_id, where.merchant_id),
        (c.object_type, where.object_type),
        (c.object_id, where.object_id),
        (c.actor_id, where.actor_id),
        (c.action, where.action),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if where.since is not None:
        stmt = stmt.where(c.at >= where.since)
    if where.until is not None:
        stmt = stmt.where(c.at < where.until)
    if where.before_id is not None:
        stmt = stmt.where(c.id < where.before_id)
    rows = conn.execute(stmt.order_by(c.id.desc()).limit(where.limit)).mappings()
    return [AuditEntry(**row) for row in rows]


def get(conn: Connection, alliance_id: str, entry_id: str) -> AuditEntry | None:
    row = (
        conn.execute(
            select(audit_log).where(audit_log.c.alliance_id == alliance_id, audit_log.c.id == entry_id)
        )
        .mappings()
        .first()
    )
    return AuditEntry(**row) if row else None
