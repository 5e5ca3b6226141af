"""POS API keys per store: shown once, stored as SHA-256, scoped, revocable, last use recorded.

A key reads ``gck_{alliance_id}.{secret}``: the alliance part finds the tenant, the secret's
hash finds the key. It authenticates as ``Actor(kind=POS, merchant, store_ids={store}, scopes)``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import Connection, insert, select, update

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import InvalidScope, ObjectNotFound
from guildcard.alliance.domain.model import PosKey, PosScope
from guildcard.alliance.services.base import Created, Deps, claim_key, hash_secret, or_raise, remember_key
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.audit.log import record
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.ids import new_id

KEY_PREFIX = "gck_"
_TOUCH_GRANULARITY = timedelta(minutes=1)


def parse_key(key: str) -> tuple[str, str] | None:
    """``(alliance_id, key_hash)`` of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    alliance_id, sep, secret = key.removeprefix(KEY_PREFIX).rpartition(".")
    if not sep or not alliance_id or len(secret) < 30:
        return None
    return alliance_id, hash_secret(secret)


class PosKeyService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _store(self, conn: Connection, actor: Actor, store_id: str, perm: Perm) -> tuple[str, str]:
        store = or_raise(repo.get_store(conn, actor.alliance_id, store_id), ObjectNotFound)
        authorize(
            actor,
            Perm.STORE_READ if actor.kind is not ActorKind.OPERATOR else perm,
            alliance_id=store.alliance_id,
            merchant_id=store.merchant_id,
            store_id=store.id,
        )
        authorize(
            actor, perm, alliance_id=store.alliance_id, merchant_id=store.merchant_id, store_id=store.id
        )
        return store.merchant_id, store.id

    def list(self, actor: Actor, store_id: str) -> list[PosKey]:
        with self.deps.database.read() as conn:
            self._store(conn, actor, store_id, Perm.POS_KEY_READ)
            return repo.list_pos_keys(conn, actor.alliance_id, store_id)

    def get(self, actor: Actor, key_id: str) -> PosKey:
        with self.deps.database.read() as conn:
            key = or_raise(repo.get_pos_key(conn, actor.alliance_id, key_id), ObjectNotFound)
            self._store(conn, actor, key.store_id, Perm.POS_KEY_READ)
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
        wanted = frozenset(scopes)
        if not wanted or not wanted <= {s.value for s in PosScope}:
            raise InvalidScope(field="scopes", allowed=[s.value for s in PosScope])
        now = self.deps.clock.now()
        request = {"store": store_id, "name": name, "scopes": sorted(wanted)}
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            merchant_id, _ = self._store(conn, actor, store_id, Perm.POS_KEY_WRITE)
            scope = "alliance.pos_key.create"
            replay = claim_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                request=request,
                now=now,
            )
            if replay is not None:
                key = or_raise(repo.get_pos_key(conn, actor.alliance_id, replay["id"]), ObjectNotFound)
                return Created((key, None), replayed=True)
            secret = secrets.token_urlsafe(32)
            plain = f"{KEY_PREFIX}{actor.alliance_id}.{secret}"
            key = PosKey(
                new_id("key"),
                actor.alliance_id,
                merchant_id,
                store_id,
                name.strip() or "POS",
                secret[:6],
                wanted,
                now,
            )
            conn.execute(
                insert(t.pos_keys).values(
                    alliance_id=key.alliance_id,
                    id=key.id,
                    merchant_id=merchant_id,
                    store_id=store_id,
                    name=key.name,
                    prefix=key.prefix,
                    key_hash=hash_secret(secret),
                    scopes=sorted(wanted),
                    created_at=now,
                    created_by=actor.id,
                )
            )
            record(
                conn,
                actor=actor,
                action="pos_key.create",
                object_type="pos_key",
                object_id=key.id,
                merchant_id=merchant_id,
                store_id=store_id,
                at=now,
                details={"scopes": sorted(wanted)},
            )
            remember_key(
                conn, alliance_id=actor.alliance_id, scope=scope, key=idempotency_key, response={"id": key.id}
            )
            uow.commit()
        return Created((key, plain))

    def revoke(self, actor: Actor, key_id: str) -> PosKey:
        now = self.deps.clock.now()
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            key = or_raise(repo.get_pos_key(conn, actor.alliance_id, key_id), ObjectNotFound)
            self._store(conn, actor, key.store_id, Perm.POS_KEY_WRITE)
            if key.revoked_at is None:
                c = t.pos_keys.c
                conn.execute(
                    update(t.pos_keys)
                    .where(c.alliance_id == key.alliance_id, c.id == key.id)
                    .values(revoked_at=now)
                )
                record(
                    conn,
                    actor=actor,
                    action="pos_key.revoke",
                    object_type="pos_key",
                    object_id=key.id,
                    merchant_id=key.merchant_id,
                    store_id=key.store_id,
                    at=now,
                )
            result = or_raise(repo.get_pos_key(conn, actor.alliance_id, key_id), ObjectNotFound)
            uow.commit()
        return result

    # --- authentication -------------------------------------------------------------------

    def authenticate(self, conn: Connection, credential: str) -> Actor | None:
        """A ``CredentialAuthenticator``: the key's actor, or None (unknown, revoked, store closed)."""
        parsed = parse_key(credential)
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
        now = self.deps.clock.now()
        if row["last_used_at"] is None or now - row["last_used_at"] > _TOUCH_GRANULARITY:
            # Another connection: the caller's is a read transaction.
            with self.deps.database.write() as writer:
                writer.execute(
                    update(t.pos_keys)
                    .where(c.alliance_id == alliance_id, c.id == row["id"])
                    .values(last_used_at=now)
                )
        return Actor(
            kind=ActorKind.POS,
            id=row["id"],
            alliance_id=alliance_id,
            merchant_id=row["merchant_id"],
            store_ids=frozenset({row["store_id"]}),
            scopes=frozenset(row["scopes"]),
        )
