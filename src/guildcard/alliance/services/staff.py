"""Staff accounts of a merchant: owner, manager, cashier; a cashier works at chosen stores.

A new account has no password: creation answers a one-time activation token (7 days) with
which the person sets a password (``POST /api/v1/auth/activate``). Owners manage everyone;
managers manage cashiers only.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, insert, select, update

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import (
    DuplicateLogin,
    Forbidden,
    InvalidStoreAssignment,
    LastOwner,
    ObjectNotFound,
)
from guildcard.alliance.domain.model import StaffAccount, StaffRole
from guildcard.alliance.services.alliances import ACTIVATION_TTL, NewAccount, check_login
from guildcard.alliance.services.base import (
    Created,
    Deps,
    claim_key,
    new_secret_token,
    or_raise,
    remember_key,
)
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.audit.log import record
from guildcard.auth import tokens
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.ids import new_id


def _may_manage(actor: Actor, role: StaffRole) -> None:
    """Managers manage cashiers only; owners manage every role."""
    if actor.kind is ActorKind.STAFF and actor.role == StaffRole.MANAGER and role is not StaffRole.CASHIER:
        raise Forbidden("Managers manage cashiers only.")


def _check_stores(
    conn: Connection, actor: Actor, merchant_id: str, role: StaffRole, store_ids: Iterable[str]
) -> list[str]:
    ids = sorted(set(store_ids))
    own = {s.id for s in repo.list_stores(conn, actor.alliance_id, merchant_id) if s.closed_at is None}
    if any(i not in own for i in ids) or (role is StaffRole.CASHIER and not ids):
        raise InvalidStoreAssignment(field="store_ids")
    return ids


class StaffService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _load(self, conn: Connection, actor: Actor, staff_id: str, perm: Perm) -> StaffAccount:
        account = repo.get_staff(conn, actor.alliance_id, staff_id)
        if account is None:
            raise ObjectNotFound()
        if actor.kind is ActorKind.STAFF and actor.id == staff_id and perm is Perm.STAFF_READ:
            return account  # everyone may read their own account
        authorize(actor, Perm.STAFF_READ, alliance_id=account.alliance_id, merchant_id=account.merchant_id)
        authorize(actor, perm, alliance_id=account.alliance_id, merchant_id=account.merchant_id)
        return account

    def get(self, actor: Actor, staff_id: str) -> StaffAccount:
        with self.deps.database.read() as conn:
            return self._load(conn, actor, staff_id, Perm.STAFF_READ)

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
        authorize(actor, Perm.STAFF_WRITE, alliance_id=actor.alliance_id, merchant_id=merchant_id)
        _may_manage(actor, role)
        login = check_login(login)
        if not display_name.strip():
            raise InvalidInput("display_name is required", field="display_name")
        now = self.deps.clock.now()
        store_ids = list(store_ids)
        request = {
            "merchant": merchant_id,
            "login": login,
            "name": display_name,
            "role": role.value,
            "stores": sorted(store_ids),
        }
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            or_raise(repo.get_merchant(conn, actor.alliance_id, merchant_id), ObjectNotFound)
            scope = "alliance.staff.create"
            replay = claim_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                request=request,
                now=now,
            )
            if replay is not None:
                account = or_raise(repo.get_staff(conn, actor.alliance_id, replay["id"]), ObjectNotFound)
                return Created(NewAccount(account, None), replayed=True)
            stores = _check_stores(conn, actor, merchant_id, role, store_ids)
            if repo.login_taken(conn, actor.alliance_id, login):
                raise DuplicateLogin(field="login")
            token, token_hash = new_secret_token(actor.alliance_id)
            staff_id = new_id("stf")
            conn.execute(
                insert(t.staff).values(
                    alliance_id=actor.alliance_id,
                    id=staff_id,
                    merchant_id=merchant_id,
                    login=login,
                    display_name=display_name.strip(),
                    role=role.value,
                    activation_hash=token_hash,
                    activation_expires_at=now + ACTIVATION_TTL,
                    created_at=now,
                )
            )
            repo.set_staff_stores(conn, actor.alliance_id, staff_id, stores)
            record(
                conn,
                actor=actor,
                action="staff.create",
                object_type="staff",
                object_id=staff_id,
                merchant_id=merchant_id,
                at=now,
                details={"role": role.value, "store_ids": stores},
            )
            remember_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                response={"id": staff_id},
            )
            account = or_raise(repo.get_staff(conn, actor.alliance_id, staff_id), ObjectNotFound)
            uow.commit()
        return Created(NewAccount(account, token))

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
        now = self.deps.clock.now()
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            account = self._load(conn, actor, staff_id, Perm.STAFF_WRITE)
            _may_manage(actor, account.role)
            new_role = role or account.role
            _may_manage(actor, new_role)
            values: dict[str, object] = {}
            if display_name is not None:
                values["display_name"] = display_name.strip() or account.display_name
            if role is not None:
                values["role"] = role.value
            if disabled is not None:
                values["disabled_at"] = (account.disabled_at or now) if disabled else None
            losing_owner = account.role is StaffRole.OWNER and (new_role is not StaffRole.OWNER or disabled)
            if losing_owner and self._active_owners(conn, actor.alliance_id, account.merchant_id) <= 1:
                raise LastOwner()
            if store_ids is not None or role is not None:
                stores = _check_stores(
                    conn,
                    actor,
                    account.merchant_id,
                    new_role,
                    account.store_ids if store_ids is None else store_ids,
                )
                repo.set_staff_stores(conn, actor.alliance_id, staff_id, stores)
            if values:
                c = t.staff.c
                conn.execute(
                    update(t.staff)
                    .where(c.alliance_id == actor.alliance_id, c.id == staff_id)
                    .values(**values)
                )
            if disabled or role is not None or store_ids is not None:
                # Privileges changed: sign the account out everywhere.
                tokens.revoke_all_for(
                    conn,
                    alliance_id=actor.alliance_id,
                    actor_kind=ActorKind.STAFF,
                    actor_id=staff_id,
                    now=now,
                )
            changed = sorted(
                k
                for k, v in {
                    "display_name": display_name,
                    "role": role,
                    "store_ids": store_ids,
                    "disabled": disabled,
                }.items()
                if v is not None
            )
            record(
                conn,
                actor=actor,
                action="staff.update",
                object_type="staff",
                object_id=staff_id,
                merchant_id=account.merchant_id,
                at=now,
                details={"fields": changed},
            )
            result = or_raise(repo.get_staff(conn, actor.alliance_id, staff_id), ObjectNotFound)
            uow.commit()
        return result

    @staticmethod
    def _active_owners(conn: Connection, alliance_id: str, merchant_id: str) -> int:
        c = t.staff.c
        rows = conn.execute(
            select(c.id).where(
                c.alliance_id == alliance_id,
                c.merchant_id == merchant_id,
                c.role == StaffRole.OWNER.value,
                c.disabled_at.is_(None),
            )
        ).all()
        return len(rows)
