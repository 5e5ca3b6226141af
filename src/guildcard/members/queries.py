"""What other contexts and entry points read from the members context, on the caller's connection.

They read members only through these functions (never the members' tables). The counter's
member-code look-ups, which use a code up inside the counter's own command, are
``counter_lookup.CounterLookup``.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from sqlalchemy import Connection, func, select

from guildcard.members.storage.tables import member_consents, members
from guildcard.privacy.cipher import LookupHasher


def member_count(conn: Connection, alliance_id: str) -> int:
    """Members who have not asked to be erased."""
    stmt = select(func.count()).where(members.c.alliance_id == alliance_id, members.c.erased_at.is_(None))
    return int(conn.execute(stmt).scalar_one())


def active_member_ids(conn: Connection, alliance_id: str) -> list[str]:
    """Every member who has not asked to be erased, oldest registration first."""
    c = members.c
    stmt = (
        select(c.member_id)
        .where(c.alliance_id == alliance_id, c.erased_at.is_(None))
        .order_by(c.registered_at, c.member_id)
    )
    return [str(r[0]) for r in conn.execute(stmt)]


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


def consenting(conn: Connection, alliance_id: str, kind: str) -> set[str]:
    """Members whose latest recorded consent of ``kind`` (e.g. ``sharing``) is granted, not erased."""
    c, m = member_consents.c, members.c
    rows = conn.execute(
        select(c.member_id, c.granted, c.recorded_at, c.consent_id)
        .join_from(member_consents, members, (m.alliance_id == c.alliance_id) & (m.member_id == c.member_id))
        .where(c.alliance_id == alliance_id, c.kind == kind, m.erased_at.is_(None))
        .order_by(c.member_id, c.recorded_at, c.consent_id)
    )
    latest: dict[str, bool] = {}
    for member_id, granted, _at, _id in rows:
        latest[member_id] = bool(granted)
    return {member for member, granted in latest.items() if granted}


def born_on(
    conn: Connection, alliance_id: str, lookup: LookupHasher, day: date, *, years: int = 120
) -> set[str]:
    """Members (not erased) whose birthday is ``day``'s month and day, found by the birthday's
    keyed hash for each possible year (no birthday is decrypted); 29 February birthdays are
    celebrated on 28 February in other years."""
    dates = {_same_day(day, year) for year in range(day.year - years, day.year + 1)}
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        dates |= {date(y, 2, 29) for y in range(day.year - years, day.year) if calendar.isleap(y)}
    hashes = [lookup.digest(d.isoformat(), scope=f"{alliance_id}:birthday") for d in dates if d is not None]
    c = members.c
    rows = conn.execute(
        select(c.member_id).where(
            c.alliance_id == alliance_id, c.erased_at.is_(None), c.birthday_hash.in_(hashes)
        )
    )
    return {r[0] for r in rows}


def _same_day(day: date, year: int) -> date | None:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return None


def living(conn: Connection, alliance_id: str, member_ids: set[str] | None = None) -> set[str]:
    """Of ``member_ids`` (default: all), the members not erased."""
    c = members.c
    stmt = select(c.member_id).where(c.alliance_id == alliance_id, c.erased_at.is_(None))
    if member_ids is not None:
        if not member_ids:
            return set()
        stmt = stmt.where(c.member_id.in_(member_ids))
    return {r[0] for r in conn.execute(stmt)}
