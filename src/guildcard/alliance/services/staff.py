"""Staff accounts of a merchant: owner, manager, cashier; a cashier works at chosen stores.

A new account has no password: creation answers a one-time activation token (7 days) with
which the person sets a password (``POST /api/v1/auth/activate``). Owners manage everyone;
managers manage cashiers only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import ObjectNotFound
from guildcard.alliance.domain.model import StaffAccount, StaffRole
from guildcard.alliance.handlers.common import NewAccount, or_raise
from guildcard.alliance.handlers.staff import CreateStaff, UpdateStaff, staff_for
from guildcard.alliance.services.base import Created, Deps
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.actors import Actor


class StaffService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def get(self, actor: Actor, staff_id: str) -> StaffAccount:
        with self.deps.database.read() as conn:
            return staff_for(conn, actor, staff_id, Perm.STAFF_READ)

    def list(self, actor: Actor, merchant_id: str) -> list[StaffAccount]:
        authorize(actor, Perm.STAFF_READ, alliance_id=actor.alliance_id, merchant_id=merchant_id)
        with self.deps.database.read() as conn:
            or_raise(repo.get_merchant(conn, actor.alliance_id, merchant_id), ObjectNotFound)
            return repo.list_staff(conn, actor.alliance_id, merchant_id)

    def create(
        self,
        actor: Actor,
        merchant_id: str,
        *,
        login: str,
        display_name: str,
        role: StaffRole,
        store_ids: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> Created[NewAccount]:
        command = CreateStaff(
            merchant_id=merchant_id,
            login=login,
            display_name=display_name,
            role=role,
            store_ids=tuple(store_ids),
            idempotency_key=idempotency_key,
        )
        return Created.of(self.deps.bus.execute(actor, command))

    def update(
        self,
        actor: Actor,
        staff_id: str,
        *,
        display_name: str | None = None,
        role: StaffRole | None = None,
        store_ids: Iterable[str] | None = None,
        disabled: bool | None = None,
    ) -> StaffAccount:
        command = UpdateStaff(
            staff_id=staff_id,
            display_name=display_name,
            role=role,
            store_ids=None if store_ids is None else tuple(store_ids),
            disabled=disabled,
        )
        return cast("StaffAccount", self.deps.bus.execute(actor, command).value)
