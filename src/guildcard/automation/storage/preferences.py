"""Members' message preferences: a row per (member, channel, kind) the member turned off or on again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from guildcard.automation.storage.tables import automation_preferences as prefs_t


def opted_out(conn: Connection, alliance_id: str, member_ids: Iterable[str]) -> set[tuple[str, str, str]]:
    """(member, channel, kind) each of these members said no to."""
    ids = set(member_ids)
    if not ids:
        return set()
    c = prefs_t.c
    rows = conn.execute(
        select(c.member_id, c.channel, c.kind).where(
            c.alliance_id == alliance_id, c.member_id.in_(ids), c.opted_out.is_(True)
        )
    )
    return {(m, ch, k) for m, ch, k in rows}


def set_preference(
    conn: Connection,
    alliance_id: str,
    member_id: str,
    channel: str,
    kind: str,
    *,
    opted_out: bool,
    now: datetime,
) -> None:
    c = prefs_t.c
    conn.execute(
        delete(prefs_t).where(
            c.alliance_id == alliance_id, c.member_id == member_id, c.channel == channel, c.kind == kind
        )
    )
    conn.execute(
        insert(prefs_t).values(
            alliance_id=alliance_id, member_id=member_id, channel=channel, kind=kind, opted_out=opted_out,
            updated_at=now,
        )
    )  # fmt: skip
