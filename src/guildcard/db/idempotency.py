"""Generic idempotency for write commands that are not themselves ledger entries.

Inside the command's transaction::

    replay = claim(conn, alliance_id=a, scope="counter.commit", key=k, fingerprint=f, now=t)
    if replay is not None:
        return replay            # the first result, verbatim
    result = ...do the work...
    remember(conn, alliance_id=a, scope="counter.commit", key=k, response=result)

On PostgreSQL a concurrent duplicate blocks on the primary key until the first
transaction ends, then sees its stored response; on SQLite writers are serialized.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.db.tables import idempotency_records as records
from guildcard.kernel.errors import IdempotencyConflict


class Replay(dict[str, Any]):
    """The stored first response of a replayed command."""


def claim(
    conn: Connection, *, alliance_id: str, scope: str, key: str, fingerprint: str, now: datetime
) -> Replay | None:
    """Claim ``key`` for this request, or return the first response if it was used already."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(records).on_conflict_do_nothing()
    # RETURNING rather than rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    inserted = conn.execute(
        stmt.values(
            alliance_id=alliance_id, scope=scope, key=key, fingerprint=fingerprint, created_at=now
        ).returning(records.c.key)
    ).first()
    if inserted is not None:
        return None
    row = conn.execute(
        select(records.c.fingerprint, records.c.response).where(
            records.c.alliance_id == alliance_id, records.c.scope == scope, records.c.key == key
        )
    ).one()
    if row.fingerprint != fingerprint:
        raise IdempotencyConflict(scope=scope, key=key)
    return Replay(row.response or {})


def remember(conn: Connection, *, alliance_id: str, scope: str, key: str, response: dict[str, Any]) -> None:
    """Store the first response so that replays return it."""
    conn.execute(
        update(records)
        .where(records.c.alliance_id == alliance_id, records.c.scope == scope, records.c.key == key)
        .values(response=response)
    )


__all__ = ["Replay", "claim", "remember"]
