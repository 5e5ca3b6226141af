"""POS API keys per store: shown once, stored as SHA-256, scoped, revocable, last use recorded.

A key reads ``gck_{alliance_id}.{secret}``: the alliance part finds the tenant, the secret's
hash finds the key. It authenticates as ``Actor(kind=POS, merchant, store_ids={store}, scopes)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import cast

from sqlalchemy import Connection, or_, select, update

from guildcard.alliance.domain.access import Perm
from guildcard.alliance.domain.errors import ObjectNotFound
from guildcard.alliance.domain.model import PosKey
from guildcard.alliance.domain.tokens import parse_pos_key
from guildcard.alliance.handlers.common import or_raise
from guildcard.alliance.handlers.pos_keys import IssuePosKey, RevokePosKey, store_for
from guildcard.alliance.services.base import Created, Deps
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.kernel.actors import Actor, ActorKind

_TOUCH_GRANULARITY = timedelta(minutes=1)


class PosKeyService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def list(self, actor: Actor, store_id: str) -> list[PosKey]:
        with self.deps.database.read() as conn:
            store_for(conn, actor, store_id, Perm.POS_KEY_READ)
            return repo.list_pos_keys(conn, actor.alliance_id, store_id)

    def get(self, actor: Actor, key_id: str) -> PosKey:
        with self.deps.database.read() as conn:
            key = or_raise(repo.get_pos_key(conn, actor.alliance_id, key_id), ObjectNotFound)
            store_for(conn, actor, key.store_id, Perm.POS_KEY_READ)
            return key

    def create(
        self,
        actor: Actor,
        store_id: str,
        *,
        name: str,
        scopes: Iterable[str],
        idempotency_key: str | None = None,
    ) -> Created[tuple[PosKey, str | None]]:
        """The key and its secret, shown once (absent on a replay)."""
        command = IssuePosKey(
            store_id=store_id, name=name, scopes=frozenset(scopes), idempotency_key=idempotency_key
        )
        return Created.of(self.deps.bus.execute(actor, command))

    def revoke(self, actor: Actor, key_id: str) -> PosKey:
        return cast("PosKey", self.deps.bus.execute(actor, RevokePosKey(key_id=key_id)).value)

    # --- authentication -------------------------------------------------------------------

    def touch(self, credential: str) -> None:
        """Stamp the key's last use (at most once a granule), on a connection of its own, called once
        the authenticating read has closed: a request never holds two pooled connections at once."""
        parsed = parse_pos_key(credential)
        if parsed is None:
            return
        alliance_id, key_hash = parsed
        c, now = t.pos_keys.c, self.deps.clock.now()
        stale = or_(c.last_used_at.is_(None), c.last_used_at < now - _TOUCH_GRANULARITY)
        with self.deps.database.write() as writer:
            writer.execute(
                update(t.pos_keys)
                .where(c.alliance_id == alliance_id, c.key_hash == key_hash, stale)
                .values(last_used_at=now)
            )

    def authenticate(self, conn: Connection, credential: str) -> Actor | None:
        """A ``CredentialAuthenticator``: the key's actor, or None (unknown, revoked, store closed)."""
        parsed = parse_pos_key(credential)
        if parsed is None:
            return None
        alliance_id, key_hash = parsed
        c = t.pos_keys.c
        row = (
            conn.execute(select(t.pos_keys).where(c.alliance_id == alliance_id, c.key_hash == key_hash))
            .mappings()
            .first()
        )
        if row is None or row["revoked_at"] is not None:
            return None
        store = repo.get_store(conn, alliance_id, row["store_id"])
        if store is None or store.closed_at is not None:
            return None
        return Actor(
            kind=ActorKind.POS,
            id=row["id"],
            alliance_id=alliance_id,
            merchant_id=row["merchant_id"],
            store_ids=frozenset({row["store_id"]}),
            scopes=frozenset(row["scopes"]),
        )
