"""POS API keys per store: issued once (only the SHA-256 of the secret is stored), revocable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, update

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import InvalidScope, ObjectNotFound
from guildcard.alliance.domain.model import PosKey, PosScope, Store
from guildcard.alliance.domain.tokens import new_pos_key
from guildcard.alliance.handlers.common import handlers, or_raise
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work


def store_for(conn: Connection, actor: Actor, store_id: str, perm: Perm) -> Store:
    """The store if ``actor`` may ``perm`` its keys (merchant staff must see the store first)."""
    store = or_raise(repo.get_store(conn, actor.alliance_id, store_id), ObjectNotFound)
    where = {"alliance_id": store.alliance_id, "merchant_id": store.merchant_id, "store_id": store.id}
    authorize(actor, Perm.STORE_READ if actor.kind is not ActorKind.OPERATOR else perm, **where)
    authorize(actor, perm, **where)
    return store


@dataclass(frozen=True, kw_only=True)
class IssuePosKey(Command):
    scope = "alliance.pos_key.create"
    store_id: str
    name: str
    scopes: frozenset[str]

    def identity(self) -> Mapping[str, Any]:
        return {"store": self.store_id, "name": self.name, "scopes": sorted(self.scopes)}


def _reload_key(stored: Any, work: Work) -> tuple[PosKey, str | None]:
    key = or_raise(repo.get_pos_key(work.connection, work.alliance_id, stored["id"]), ObjectNotFound)
    store_for(work.connection, work.actor, key.store_id, Perm.POS_KEY_WRITE)  # replays only to whom may issue
    return key, None  # the secret was shown once


@handlers.register(remember=lambda issued: {"id": issued[0].id}, replay=_reload_key)
def issue_pos_key(command: IssuePosKey, work: Work) -> tuple[PosKey, str | None]:
    """The key and its secret, shown once (absent on a replay)."""
    wanted = command.scopes
    if not wanted or not wanted <= {s.value for s in PosScope}:
        raise InvalidScope(field="scopes", allowed=[s.value for s in PosScope])
    store = store_for(work.connection, work.actor, command.store_id, Perm.POS_KEY_WRITE)
    plain, prefix, key_hash = new_pos_key(work.alliance_id)
    key = PosKey(
        new_id("key"),
        work.alliance_id,
        store.merchant_id,
        store.id,
        command.name.strip() or "POS",
        prefix,
        wanted,
        work.now,
    )
    work.connection.execute(
        insert(t.pos_keys).values(
            alliance_id=key.alliance_id,
            id=key.id,
            merchant_id=key.merchant_id,
            store_id=key.store_id,
            name=key.name,
            prefix=key.prefix,
            key_hash=key_hash,
            scopes=sorted(wanted),
            created_at=work.now,
            created_by=work.actor.id,
        )
    )
    work.audit(
        "pos_key.create",
        object_type="pos_key",
        object_id=key.id,
        merchant_id=key.merchant_id,
        store_id=key.store_id,
        details={"scopes": sorted(wanted)},
    )
    work.emit("alliance.pos_key_issued", key.id, merchant_id=key.merchant_id, store_id=key.store_id)
    return key, plain


@dataclass(frozen=True, kw_only=True)
class RevokePosKey(Command):
    scope = "alliance.pos_key.revoke"
    key_id: str


@handlers.register()
def revoke_pos_key(command: RevokePosKey, work: Work) -> PosKey:
    """Revoking a revoked key changes nothing and answers it as it is."""
    key = or_raise(repo.get_pos_key(work.connection, work.alliance_id, command.key_id), ObjectNotFound)
    store_for(work.connection, work.actor, key.store_id, Perm.POS_KEY_WRITE)
    if key.revoked_at is None:
        c = t.pos_keys.c
        work.connection.execute(
            update(t.pos_keys)
            .where(c.alliance_id == key.alliance_id, c.id == key.id)
            .values(revoked_at=work.now)
        )
        work.audit(
            "pos_key.revoke",
            object_type="pos_key",
            object_id=key.id,
            merchant_id=key.merchant_id,
            store_id=key.store_id,
        )
        work.emit("alliance.pos_key_revoked", key.id, merchant_id=key.merchant_id, store_id=key.store_id)
    return or_raise(repo.get_pos_key(work.connection, work.alliance_id, key.id), ObjectNotFound)
