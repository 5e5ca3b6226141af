"""Published membership terms and the member's latest agreement to them (reads on any connection)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from guildcard.members.domain.model import ConsentKind
from guildcard.members.domain.terms import DEFAULT_TERMS, Terms
from guildcard.members.storage.tables import member_consents, member_terms


def current_terms(conn: Connection, alliance_id: str) -> Terms:
    """The latest published version, or the default terms when the alliance published none."""
    t = member_terms.c
    row = conn.execute(
        select(t.version, t.body, t.published_at)
        .where(t.alliance_id == alliance_id)
        .order_by(t.published_at.desc(), t.version.desc())
        .limit(1)
    ).first()
    return Terms(row.version, row.body, row.published_at) if row else DEFAULT_TERMS


def version_exists(conn: Connection, alliance_id: str, version: str) -> bool:
    t = member_terms.c
    found = conn.execute(select(t.version).where(t.alliance_id == alliance_id, t.version == version)).first()
    return found is not None or version == DEFAULT_TERMS.version


def add_terms(conn: Connection, alliance_id: str, version: str, body: str, *, at: datetime, by: str) -> None:
    conn.execute(
        insert(member_terms).values(
            alliance_id=alliance_id, version=version, body=body, published_at=at, published_by=by
        )
    )


def agreed_version(conn: Connection, alliance_id: str, member_id: str) -> str | None:
    """The terms version the member last agreed to (None: never)."""
    c = member_consents.c
    row = conn.execute(
        select(c.version)
        .where(
            c.alliance_id == alliance_id,
            c.member_id == member_id,
            c.kind == ConsentKind.TERMS.value,
            c.granted.is_(True),
        )
        .order_by(c.recorded_at.desc(), c.consent_id.desc())
        .limit(1)
    ).first()
    return None if row is None else str(row.version)
