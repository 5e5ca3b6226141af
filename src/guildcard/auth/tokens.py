"""Issue, resolve and revoke opaque bearer tokens. Functions run inside the caller's transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from guildcard.auth.tables import auth_tokens as tokens
from guildcard.kernel.actors import ActorKind

# Last-use stamps are refreshed at most this often, so reads do not become writes.
_LAST_USED_GRANULARITY = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenSubject:
    alliance_id: str
    actor_kind: ActorKind
    actor_id: str
    expires_at: datetime
    token_hash: str
    needs_touch: bool  # last use is older than the granularity: call ``touch`` in a write


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(token: str) -> tuple[str, str] | None:
    alliance_id, sep, secret = token.rpartition(".")
    if not sep or not alliance_id or len(secret) < 20:
        return None
    return alliance_id, secret


def issue(
    conn: Connection, *, alliance_id: str, actor_kind: ActorKind, actor_id: str, now: datetime, ttl: timedelta
) -> str:
    """A new token for the actor; shown once, stored only as a hash."""
    secret = secrets.token_urlsafe(32)
    conn.execute(
        insert(tokens).values(
            alliance_id=alliance_id,
            token_hash=_hash(secret),
            actor_kind=actor_kind.value,
            actor_id=actor_id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return f"{alliance_id}.{secret}"


def resolve(conn: Connection, token: str, *, now: datetime) -> TokenSubject | None:
    """The token's subject, or None when unknown, expired or revoked. Reads only."""
    parts = _split(token)
    if parts is None:
        return None
    alliance_id, secret = parts
    token_hash = _hash(secret)
    row = conn.execute(
        select(tokens).where(tokens.c.alliance_id == alliance_id, tokens.c.token_hash == token_hash)
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    stale = row.last_used_at is None or now - row.last_used_at > _LAST_USED_GRANULARITY
    return TokenSubject(
        alliance_id, ActorKind(row.actor_kind), row.actor_id, row.expires_at, token_hash, stale
    )


def touch(conn: Connection, subject: TokenSubject, *, now: datetime) -> None:
    """Record the token's last use."""
    conn.execute(
        update(tokens)
        .where(tokens.c.alliance_id == subject.alliance_id, tokens.c.token_hash == subject.token_hash)
        .values(last_used_at=now)
    )


def revoke(conn: Connection, token: str, *, now: datetime) -> None:
    parts = _split(token)
    if parts is not None:
        alliance_id, secret = parts
        conn.execute(
            update(tokens)
            .where(tokens.c.alliance_id == alliance_id, tokens.c.token_hash == _hash(secret))
            .values(revoked_at=now)
        )


def revoke_all_for(
    conn: Connection, *, alliance_id: str, actor_kind: ActorKind, actor_id: str, now: datetime
) -> int:
    """Sign an actor out everywhere (password change, suspension, erasure)."""
    result = conn.execute(
        update(tokens)
        .where(
            tokens.c.alliance_id == alliance_id,
            tokens.c.actor_kind == actor_kind.value,
            tokens.c.actor_id == actor_id,
            tokens.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return result.rowcount
