"""Stores of a merchant: create, read, update, close."""

from __future__ import annotations

from dataclasses import replace

from guildcard.alliance.domain.access import Perm, authorize, can_see
from guildcard.alliance.domain.errors import ObjectNotFound
from guildcard.alliance.domain.model import Coordinates, Store
from guildcard.alliance.services.base import Created, Deps, claim_key, or_raise, remember_key
from guildcard.alliance.storage import repository as repo
from guildcard.audit.log import record
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.ids import new_id


def _text(value: str, name: str, limit: int) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(f"{name} is required (at most {limit} characters)", field=name)
    return value


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
        authorize(actor, Perm.STORE_WRITE, alliance_id=actor.alliance_id, merchant_id=merchant_id)
        now = self.deps.clock.now()
        store = Store(
            new_id("sto"),
            actor.alliance_id,
            merchant_id,
            _text(name, "name", 100),
            _text(address, "address", 200),
            Coordinates.parse(latitude, longitude),
            now,
        )
        request = {
            "merchant": merchant_id,
            "name": store.name,
            "address": store.address,
            "lat": str(store.coordinates.latitude),
            "lng": str(store.coordinates.longitude),
        }
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            or_raise(repo.get_merchant(conn, actor.alliance_id, merchant_id), ObjectNotFound)
            scope = "alliance.store.create"
            replay = claim_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                request=request,
                now=now,
            )
            if replay is not None:
                return Created(
                    or_raise(repo.get_store(conn, actor.alliance_id, replay["id"]), ObjectNotFound),
                    replayed=True,
                )
            repo.insert_store(conn, store)
            record(
                conn,
                actor=actor,
                action="store.create",
                object_type="store",
                object_id=store.id,
                merchant_id=merchant_id,
                store_id=store.id,
                at=now,
            )
            remember_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                response={"id": store.id},
            )
            uow.commit()
        return Created(store)

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
        now = self.deps.clock.now()
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            store = or_raise(repo.get_store(conn, actor.alliance_id, store_id), ObjectNotFound)
            authorize(
                actor,
                Perm.STORE_READ,
                alliance_id=store.alliance_id,
                merchant_id=store.merchant_id,
                store_id=store.id,
            )
            authorize(
                actor,
                Perm.STORE_WRITE,
                alliance_id=store.alliance_id,
                merchant_id=store.merchant_id,
                store_id=store.id,
            )
            changed = replace(
                store,
                name=_text(name, "name", 100) if name is not None else store.name,
                address=_text(address, "address", 200) if address is not None else store.address,
                coordinates=Coordinates.parse(
                    latitude if latitude is not None else store.coordinates.latitude,
                    longitude if longitude is not None else store.coordinates.longitude,
                ),
                closed_at=store.closed_at if closed is None else (store.closed_at or now) if closed else None,
            )
            repo.update_store(conn, changed)
            fields = sorted(
                k
                for k, v in {
                    "name": name,
                    "address": address,
                    "latitude": latitude,
                    "longitude": longitude,
                    "closed": closed,
                }.items()
                if v is not None
            )
            record(
                conn,
                actor=actor,
                action="store.update",
                object_type="store",
                object_id=store.id,
                merchant_id=store.merchant_id,
                store_id=store.id,
                at=now,
                details={"fields": fields},
            )
            uow.commit()
        return changed
