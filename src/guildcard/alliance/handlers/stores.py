"""Stores of a merchant: open one, change one, close or reopen one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import ObjectNotFound
from guildcard.alliance.domain.model import Coordinates, Store
from guildcard.alliance.domain.validation import required_text
from guildcard.alliance.handlers.common import handlers, merchant_may, or_raise, remember_id
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work, versions


@dataclass(frozen=True, kw_only=True)
class CreateStore(Command):
    scope = "alliance.store.create"
    merchant_id: str
    name: str
    address: str
    latitude: str
    longitude: str


def _reload_store(stored: Any, work: Work) -> Store:
    return or_raise(repo.get_store(work.connection, work.alliance_id, stored["id"]), ObjectNotFound)


@handlers.register(authorize=merchant_may(Perm.STORE_WRITE), remember=remember_id, replay=_reload_store)
def create_store(command: CreateStore, work: Work) -> Store:
    store = Store(
        new_id("sto"),
        work.alliance_id,
        command.merchant_id,
        required_text(command.name, "name", 100),
        required_text(command.address, "address", 200),
        Coordinates.parse(command.latitude, command.longitude),
        work.now,
    )
    or_raise(repo.get_merchant(work.connection, work.alliance_id, command.merchant_id), ObjectNotFound)
    repo.insert_store(work.connection, store)
    work.audit(
        "store.create",
        object_type="store",
        object_id=store.id,
        merchant_id=store.merchant_id,
        store_id=store.id,
    )
    work.emit("alliance.store_created", store.id, merchant_id=store.merchant_id)
    return store


@dataclass(frozen=True, kw_only=True)
class UpdateStore(Command):
    """Fields left None keep their value; ``closed`` closes (True) or reopens (False) the store."""

    scope = "alliance.store.update"
    store_id: str
    name: str | None = None
    address: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    closed: bool | None = None


@handlers.register()
def update_store(command: UpdateStore, work: Work) -> Store:
    store = or_raise(repo.get_store(work.connection, work.alliance_id, command.store_id), ObjectNotFound)
    where = {"alliance_id": store.alliance_id, "merchant_id": store.merchant_id, "store_id": store.id}
    authorize(work.actor, Perm.STORE_READ, **where)
    authorize(work.actor, Perm.STORE_WRITE, **where)
    name, address, closed = command.name, command.address, command.closed
    changed = replace(
        store,
        name=required_text(name, "name", 100) if name is not None else store.name,
        address=required_text(address, "address", 200) if address is not None else store.address,
        coordinates=Coordinates.parse(
            command.latitude if command.latitude is not None else store.coordinates.latitude,
            command.longitude if command.longitude is not None else store.coordinates.longitude,
        ),
        closed_at=store.closed_at if closed is None else (store.closed_at or work.now) if closed else None,
    )
    repo.update_store(work.connection, changed)
    fields = sorted(
        k
        for k, v in {
            "name": name,
            "address": address,
            "latitude": command.latitude,
            "longitude": command.longitude,
            "closed": closed,
        }.items()
        if v is not None
    )
    work.audit(
        "store.update",
        object_type="store",
        object_id=store.id,
        merchant_id=store.merchant_id,
        store_id=store.id,
        details={"fields": fields},
    )
    if (changed.closed_at is None) != (store.closed_at is None):
        # A closed store earns nothing: the counter reads store status with the terms.
        versions.bump(work.connection, work.alliance_id, versions.Topic.TERMS)
        event = "alliance.store_closed" if changed.closed_at else "alliance.store_reopened"
        work.emit(event, store.id, merchant_id=store.merchant_id)
    return changed
