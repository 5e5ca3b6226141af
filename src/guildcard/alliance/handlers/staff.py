"""Staff accounts of a merchant: owner, manager, cashier; a cashier works at chosen stores.

A new account has no password: creation answers a one-time activation token (7 days). Owners
manage everyone; managers manage cashiers only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import (
    DuplicateLogin,
    Forbidden,
    InvalidStoreAssignment,
    LastOwner,
    ObjectNotFound,
)
from guildcard.alliance.domain.model import StaffAccount, StaffRole
from guildcard.alliance.domain.tokens import new_secret_token
from guildcard.alliance.domain.validation import check_login
from guildcard.alliance.handlers.common import ACTIVATION_TTL, NewAccount, handlers, merchant_may, or_raise
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.auth import tokens
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work


def may_manage(actor: Actor, role: StaffRole) -> None:
    """Managers manage cashiers only; owners manage every role."""
    if actor.kind is ActorKind.STAFF and actor.role == StaffRole.MANAGER and role is not StaffRole.CASHIER:
        raise Forbidden("Managers manage cashiers only.")


def staff_for(conn: Connection, actor: Actor, staff_id: str, perm: Perm) -> StaffAccount:
    """The account if ``actor`` may ``perm`` it (everyone may read their own account)."""
    account = or_raise(repo.get_staff(conn, actor.alliance_id, staff_id), ObjectNotFound)
    if actor.kind is ActorKind.STAFF and actor.id == staff_id and perm is Perm.STAFF_READ:
        return account
    authorize(actor, Perm.STAFF_READ, alliance_id=account.alliance_id, merchant_id=account.merchant_id)
    authorize(actor, perm, alliance_id=account.alliance_id, merchant_id=account.merchant_id)
    return account


def _check_stores(work: Work, merchant_id: str, role: StaffRole, store_ids: Iterable[str]) -> list[str]:
    ids = sorted(set(store_ids))
    own = {
        s.id for s in repo.list_stores(work.connection, work.alliance_id, merchant_id) if s.closed_at is None
    }
    if any(i not in own for i in ids) or (role is StaffRole.CASHIER and not ids):
        raise InvalidStoreAssignment(field="store_ids")
    return ids


def _active_owners(conn: Connection, alliance_id: str, merchant_id: str) -> int:
    c = t.staff.c
    return int(
        conn.execute(
            select(func.count()).where(
                c.alliance_id == alliance_id,
                c.merchant_id == merchant_id,
                c.role == StaffRole.OWNER.value,
                c.disabled_at.is_(None),
            )
        ).scalar_one()
    )


@dataclass(frozen=True, kw_only=True)
class CreateStaff(Command):
    scope = "alliance.staff.create"
    merchant_id: str
    login: str
    display_name: str
    role: StaffRole
    store_ids: tuple[str, ...] = ()


def _may_create(actor: Actor, command: CreateStaff) -> None:
    merchant_may(Perm.STAFF_WRITE)(actor, command)
    may_manage(actor, command.role)


def _reload_staff(stored: Any, work: Work) -> NewAccount:
    account = or_raise(repo.get_staff(work.connection, work.alliance_id, stored["id"]), ObjectNotFound)
    return NewAccount(account, None)  # the activation token was shown once


@handlers.register(
    authorize=_may_create, remember=lambda created: {"id": created.account.id}, replay=_reload_staff
)
def create_staff(command: CreateStaff, work: Work) -> NewAccount:
    login = check_login(command.login)
    if not command.display_name.strip():
        raise InvalidInput("display_name is required", field="display_name")
    conn, alliance_id, merchant_id = work.connection, work.alliance_id, command.merchant_id
    or_raise(repo.get_merchant(conn, alliance_id, merchant_id), ObjectNotFound)
    stores = _check_stores(work, merchant_id, command.role, command.store_ids)
    staff_id, token = add_staff_account(
        work, merchant_id=merchant_id, login=login, display_name=command.display_name.strip(),
        role=command.role, store_ids=stores, login_field="login",
    )  # fmt: skip
    work.audit(
        "staff.create",
        object_type="staff",
        object_id=staff_id,
        merchant_id=merchant_id,
        details={"role": command.role.value, "store_ids": stores},
    )
    return NewAccount(or_raise(repo.get_staff(conn, alliance_id, staff_id), ObjectNotFound), token)


def add_staff_account(
    work: Work,
    *,
    merchant_id: str,
    login: str,
    display_name: str,
    role: StaffRole,
    store_ids: Iterable[str],
    login_field: str,
) -> tuple[str, str]:
    """A staff account awaiting activation (a new owner or staff member): its id and the one-time
    activation token, shown once. Raises ``DuplicateLogin`` naming ``login_field``."""
    conn, alliance_id, now = work.connection, work.alliance_id, work.now
    if repo.login_taken(conn, alliance_id, login):
        raise DuplicateLogin(field=login_field)
    token, token_hash = new_secret_token(alliance_id)
    staff_id = new_id("stf")
    conn.execute(
        insert(t.staff).values(
            alliance_id=alliance_id, id=staff_id, merchant_id=merchant_id, login=login,
            display_name=display_name, role=role.value, activation_hash=token_hash,
            activation_expires_at=now + ACTIVATION_TTL, created_at=now,
        )
    )  # fmt: skip
    repo.set_staff_stores(conn, alliance_id, staff_id, list(store_ids))
    work.emit("alliance.staff_added", staff_id, merchant_id=merchant_id, role=role.value)
    return staff_id, token


@dataclass(frozen=True, kw_only=True)
class UpdateStaff(Command):
    """Fields left None keep their value; ``disabled`` removes (True) or reinstates (False) the account."""

    scope = "alliance.staff.update"
    staff_id: str
    display_name: str | None = None
    role: StaffRole | None = None
    store_ids: tuple[str, ...] | None = None
    disabled: bool | None = None


@handlers.register()
def update_staff(command: UpdateStaff, work: Work) -> StaffAccount:
    conn, alliance_id, now, actor = work.connection, work.alliance_id, work.now, work.actor
    staff_id, role, disabled = command.staff_id, command.role, command.disabled
    account = staff_for(conn, actor, staff_id, Perm.STAFF_WRITE)
    may_manage(actor, account.role)
    new_role = role or account.role
    may_manage(actor, new_role)
    values: dict[str, object] = {}
    if command.display_name is not None:
        values["display_name"] = command.display_name.strip() or account.display_name
    if role is not None:
        values["role"] = role.value
    if disabled is not None:
        values["disabled_at"] = (account.disabled_at or now) if disabled else None
    losing_owner = account.role is StaffRole.OWNER and (new_role is not StaffRole.OWNER or disabled)
    if losing_owner and _active_owners(conn, alliance_id, account.merchant_id) <= 1:
        raise LastOwner()
    if command.store_ids is not None or role is not None:
        wanted = account.store_ids if command.store_ids is None else command.store_ids
        stores = _check_stores(work, account.merchant_id, new_role, wanted)
        repo.set_staff_stores(conn, alliance_id, staff_id, stores)
    if values:
        c = t.staff.c
        conn.execute(update(t.staff).where(c.alliance_id == alliance_id, c.id == staff_id).values(**values))
    if disabled or role is not None or command.store_ids is not None:
        # Privileges changed: sign the account out everywhere.
        tokens.revoke_all_for(
            conn, alliance_id=alliance_id, actor_kind=ActorKind.STAFF, actor_id=staff_id, now=now
        )
    changed = sorted(
        k
        for k, v in {
            "display_name": command.display_name,
            "role": role,
            "store_ids": command.store_ids,
            "disabled": disabled,
        }.items()
        if v is not None
    )
    work.audit(
        "staff.update",
        object_type="staff",
        object_id=staff_id,
        merchant_id=account.merchant_id,
        details={"fields": changed},
    )
    _emit_changes(work, account, command)
    return or_raise(repo.get_staff(conn, alliance_id, staff_id), ObjectNotFound)


def _emit_changes(work: Work, account: StaffAccount, command: UpdateStaff) -> None:
    merchant_id = account.merchant_id
    was_disabled = account.disabled_at is not None
    if command.disabled is not None and command.disabled != was_disabled:
        event = "alliance.staff_removed" if command.disabled else "alliance.staff_reinstated"
        work.emit(event, account.id, merchant_id=merchant_id)
    if command.role is not None and command.role is not account.role:
        work.emit("alliance.staff_role_changed", account.id, merchant_id=merchant_id, role=command.role.value)
