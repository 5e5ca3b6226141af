"""What other contexts and entry points read from the members context, on the caller's connection.

They read members only through these functions (never the members' tables). The counter's
member-code look-ups, which use a code up inside the counter's own command, are
``counter_lookup.CounterLookup``.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from guildcard.members.storage.tables import members


def member_count(conn: Connection, alliance_id: str) -> int:
    """Members who have not asked to be erased."""
    stmt = select(func.count()).where(members.c.alliance_id == alliance_id, members.c.erased_at.is_(None))
    return int(conn.execute(stmt).scalar_one())
