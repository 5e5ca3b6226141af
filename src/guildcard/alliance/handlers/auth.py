"""Sign-in writes for operators and staff: login, logout, activation, password change.

Operators and staff share one login namespace per alliance. The façade throttles attempts and
hashes new passwords before the command (argon2 is slow; no write transaction waits for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Table, select, update

from guildcard.alliance.domain.errors import BadCredentials, InvalidActivationToken
from guildcard.alliance.handlers.common import deps, handlers
from guildcard.alliance.storage import tables as t
from guildcard.alliance.storage.actors import load_account
from guildcard.auth import tokens
from guildcard.auth.tokens import TokenSubject
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.pipeline import Command, Work

SESSION_TTL = timedelta(hours=12)
TABLE_OF: dict[ActorKind, Table] = {ActorKind.OPERATOR: t.operators, ActorKind.STAFF: t.staff}


@dataclass(frozen=True)
class Session:
    token: str
    actor: Actor
    expires_at: datetime


def _account(conn: Connection, work: Work, kind: ActorKind, account_id: str) -> Actor:
    actor = load_account(conn, TokenSubject(work.alliance_id, kind, account_id, work.now, "", False))
    assert actor is not None  # found enabled in this transaction
    return actor


def _audit(work: Work, action: str, actor: Actor) -> None:
    work.audit(
        action, object_type=actor.kind.value, object_id=actor.id, merchant_id=actor.merchant_id, actor=actor
    )


@dataclass(frozen=True, kw_only=True)
class Login(Command):
    scope = "alliance.auth.login"
    login: str
    password: str = field(repr=False)


@handlers.register()
def login(command: Login, work: Work) -> Session:
    conn, alliance_id = work.connection, work.alliance_id
    found = None
    for kind, table in TABLE_OF.items():
        c = table.c
        row = conn.execute(
            select(c.id, c.password_hash, c.disabled_at).where(
                c.alliance_id == alliance_id, c.login == command.login
            )
        ).first()
        if row is not None:
            found = kind, row
            break
    stored = None if found is None or found[1].disabled_at is not None else found[1].password_hash
    valid, new_hash = deps(work).passwords.verify(command.password, stored)
    if not valid or found is None:
        raise BadCredentials()
    kind, row = found
    if new_hash:  # the hashing parameters changed: store the stronger hash
        table = TABLE_OF[kind]
        conn.execute(
            update(table)
            .where(table.c.alliance_id == alliance_id, table.c.id == row.id)
            .values(password_hash=new_hash)
        )
    actor = _account(conn, work, kind, row.id)
    token = tokens.issue(
        conn, alliance_id=alliance_id, actor_kind=kind, actor_id=actor.id, now=work.now, ttl=SESSION_TTL
    )
    _audit(work, "auth.login", actor)
    return Session(token, actor, work.now + SESSION_TTL)


@dataclass(frozen=True, kw_only=True)
class RecordFailedLogin(Command):
    """A refused sign-in, audited in its own transaction (the refused one wrote nothing)."""

    scope = "alliance.auth.login_failed"
    login: str


@handlers.register()
def record_failed_login(command: RecordFailedLogin, work: Work) -> None:
    conn, alliance_id = work.connection, work.alliance_id
    for kind, table in TABLE_OF.items():
        c = table.c
        columns = (c.id, c.merchant_id) if kind is ActorKind.STAFF else (c.id,)
        row = conn.execute(
            select(*columns).where(c.alliance_id == alliance_id, c.login == command.login)
        ).first()
        if row is not None:
            merchant_id = row.merchant_id if kind is ActorKind.STAFF else None
            work.audit("auth.login_failed", object_type=kind.value, object_id=row.id, merchant_id=merchant_id)
            return
    # No such account: the line names the login that was typed (staff and operator logins only).
    work.audit("auth.login_failed", object_type="login", object_id=command.login[:64])


@dataclass(frozen=True, kw_only=True)
class Logout(Command):
    scope = "alliance.auth.logout"
    token: str = field(repr=False)


@handlers.register()
def logout(command: Logout, work: Work) -> None:
    tokens.revoke(work.connection, command.token, now=work.now)


@dataclass(frozen=True, kw_only=True)
class Activate(Command):
    """Set an account's first password with its one-time activation token (given by its hash)."""

    scope = "alliance.auth.activate"
    token_hash: str = field(repr=False)
    password_hash: str = field(repr=False)


@handlers.register()
def activate(command: Activate, work: Work) -> Actor:
    conn, alliance_id = work.connection, work.alliance_id
    for kind, table in TABLE_OF.items():
        c = table.c
        row = conn.execute(
            select(c.id, c.activation_expires_at).where(
                c.alliance_id == alliance_id, c.activation_hash == command.token_hash, c.disabled_at.is_(None)
            )
        ).first()
        if row is None:
            continue
        if row.activation_expires_at is None or row.activation_expires_at <= work.now:
            raise InvalidActivationToken()
        conn.execute(
            update(table)
            .where(c.alliance_id == alliance_id, c.id == row.id)
            .values(password_hash=command.password_hash, activation_hash=None, activation_expires_at=None)
        )
        actor = _account(conn, work, kind, row.id)
        _audit(work, "auth.activate", actor)
        return actor
    raise InvalidActivationToken()


@dataclass(frozen=True, kw_only=True)
class ChangePassword(Command):
    """Change one's own password (the actor's); every session of the account is signed out."""

    scope = "alliance.auth.change_password"
    current: str = field(repr=False)
    new_hash: str = field(repr=False)


@handlers.register()
def change_password(command: ChangePassword, work: Work) -> None:
    actor, conn = work.actor, work.connection
    table = TABLE_OF.get(actor.kind)
    if table is None:
        raise BadCredentials()
    c = table.c
    stored = conn.execute(
        select(c.password_hash).where(c.alliance_id == actor.alliance_id, c.id == actor.id)
    ).scalar_one_or_none()
    if not deps(work).passwords.verify(command.current, stored)[0]:
        raise BadCredentials("The current password is wrong.")
    conn.execute(
        update(table)
        .where(c.alliance_id == actor.alliance_id, c.id == actor.id)
        .values(password_hash=command.new_hash)
    )
    tokens.revoke_all_for(
        conn, alliance_id=actor.alliance_id, actor_kind=actor.kind, actor_id=actor.id, now=work.now
    )
    _audit(work, "auth.change_password", actor)
