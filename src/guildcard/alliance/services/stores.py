"""Stores of a merchant: read them; create, update and close them through the command bus."""

from __future__ import annotations

from typing import cast

from guildcard.alliance.domain.access import Perm, authorize, can_see
from guildcard.alliance.domain.errors import ObjectNotFound
from guildcard.alliance.domain.model import Store
from guildcard.alliance.handlers.common import or_raise
from guildcard.alliance.handlers.stores import CreateStore, UpdateStore
from guildcard.alliance.services.base import Created, Deps
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.actors import Actor


class StoreService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def get(self, actor: Actor, store_id: str) -> Store:
        with self.deps.database.read() as conn:
            store = or_raise(repo.get_store(conn, actor.alliance_id, store_id), ObjectNotFound)
        authorize(
            actor,
            Perm.STORE_READ,
            alliance_id=store.alliance_id,
            merchant_id=store.merchant_id,
            store_id=store.id,
        )
        return store

    def list(self, actor: Actor, merchant_id: str) -> list[Store]:
        authorize(actor, Perm.STORE_READ, alliance_id=actor.alliance_id, merchant_id=merchant_id)
        with self.deps.database.read() as conn:
            or_raise(repo.get_merchant(conn, actor.alliance_id, merchant_id), ObjectNotFound)
            stores = repo.list_stores(conn, actor.alliance_id, merchant_id)
        return [
            s
            for s in stores
            if can_see(actor, alliance_id=s.alliance_id, merchant_id=s.merchant_id, store_id=s.id)
        ]

    def create(
        self,
        actor: Actor,
        merchant_id: str,
        *,
        name: str,
        address: str,
        latitude: str,
        longitude: str,
        idempotency_key: str | None = None,
    ) -> Created[Store]:
        command = CreateStore(
            merchant_id=merchant_id,
            name=name,
            address=address,
            latitude=latitude,
            longitude=longitude,
            idempotency_key=idempotency_key,
        )
        return Created.of(self.deps.bus.execute(actor, command))

    def update(
        self,
        actor: Actor,
        store_id: str,
        *,
        name: str | None = None,
        address: str | None = None,
        latitude: str | None = None,
        longitude: str | None = None,
        closed: bool | None = None,
    ) -> Store:
        command = UpdateStore(
            store_id=store_id,
            name=name,
            address=address,
            latitude=latitude,
            longitude=longitude,
            closed=closed,
        )
        return cast("Store", self.deps.bus.execute(actor, command).value)
