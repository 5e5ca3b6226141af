"""What other contexts and entry points read from the members context, on the caller's connection.

They read members only through these functions (never the members' tables). The counter's
member-code look-ups, which use a code up inside the counter's own command, are
``counter_lookup.CounterLookup``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from guildcard.members.storage.tables import members


def member_count(conn: Connection, alliance_id: str) -> int:
    """Members who have not asked to be erased."""
    stmt = select(func.count()).where(members.c.alliance_id == alliance_id, members.c.erased_at.is_(None))
    return int(conn.execute(stmt).scalar_one())


def registrations(
    conn: Connection, alliance_id: str, *, since: datetime | None = None, until: datetime | None = None
) -> dict[str, datetime]:
    """When each member registered (erased members included: their history still counts, anonymously)."""
    c = members.c
    stmt = select(c.member_id, c.registered_at).where(c.alliance_id == alliance_id)
    if since is not None:
        stmt = stmt.where(c.registered_at >= since)
    if until is not None:
        stmt = stmt.where(c.registered_at < until)
    return {r[0]: r[1] for r in conn.execute(stmt)}
