"""Sign-in for operators and staff: passwords (argon2), activation, sessions, actor loaders.

Operators and staff share one login namespace per alliance. Attempts are rate-limited per
account and per client address. A suspended merchant's staff can still sign in and read
their data; the counter refuses earning and redeeming there (``require_active_merchant``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Table, select, update

from guildcard.alliance.domain.errors import (
    AllianceNotFound,
    BadCredentials,
    InvalidActivationToken,
    TooManyLoginAttempts,
)
from guildcard.alliance.domain.model import StaffRole
from guildcard.alliance.services.base import Deps, or_raise, split_secret_token
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.audit.log import record
from guildcard.auth import tokens
from guildcard.auth.tokens import TokenSubject
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor, ActorKind

SESSION_TTL = timedelta(hours=12)
LOGIN_LIMIT_PER_ACCOUNT = "5/minute"
LOGIN_LIMIT_PER_ADDRESS = "30/minute"
_TABLE_OF: dict[ActorKind, Table] = {ActorKind.OPERATOR: t.operators, ActorKind.STAFF: t.staff}


@dataclass(frozen=True)
class Session:
    token: str
    actor: Actor
    expires_at: datetime


def load_operator(conn: Connection, subject: TokenSubject) -> Actor | None:
    c = t.operators.c
    row = conn.execute(
        select(c.id, c.role, c.disabled_at).where(
            c.alliance_id == subject.alliance_id, c.id == subject.actor_id
        )
    ).first()
    if row is None or row.disabled_at is not None:
        return None
    return Actor(kind=ActorKind.OPERATOR, id=row.id, alliance_id=subject.alliance_id, role=row.role)


def load_staff(conn: Connection, subject: TokenSubject) -> Actor | None:
    """Reloaded on every request: role, stores and disabling take effect at once."""
    account = repo.get_staff(conn, subject.alliance_id, subject.actor_id)
    if account is None or account.disabled_at is not None:
        return None
    if account.role is StaffRole.CASHIER:
        store_ids = account.store_ids
    else:  # owners and managers act at every open store of their merchant
        stores = repo.list_stores(conn, subject.alliance_id, account.merchant_id)
        store_ids = frozenset(s.id for s in stores if s.closed_at is None)
    return Actor(
        kind=ActorKind.STAFF,
        id=account.id,
        alliance_id=account.alliance_id,
        role=account.role.value,
        merchant_id=account.merchant_id,
        store_ids=store_ids,
    )


class AuthService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _find(
        self, conn: Connection, alliance_id: str, login: str
    ) -> tuple[ActorKind, dict[str, object]] | None:
        for kind, table in _TABLE_OF.items():
            row = (
                conn.execute(select(table).where(table.c.alliance_id == alliance_id, table.c.login == login))
                .mappings()
                .first()
            )
            if row is not None:
                return kind, dict(row)
        return None

    def login(self, *, alliance: str, login: str, password: str, client_ip: str) -> Session:
        login = login.strip()
        self.deps.throttle.hit(LOGIN_LIMIT_PER_ADDRESS, "login-ip", client_ip, error=TooManyLoginAttempts)
        now = self.deps.clock.now()
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            alliance_id = or_raise(repo.get_alliance(conn, alliance), AllianceNotFound).id
            self.deps.throttle.hit(
                LOGIN_LIMIT_PER_ACCOUNT, "login", alliance_id, login.lower(), error=TooManyLoginAttempts
            )
            found = self._find(conn, alliance_id, login)
            stored = (
                None if found is None or found[1]["disabled_at"] is not None else found[1]["password_hash"]
            )
            valid, new_hash = self.deps.passwords.verify(password, stored)  # type: ignore[arg-type]
            if not valid or found is None:
                raise BadCredentials()
            kind, row = found
            table = _TABLE_OF[kind]
            if new_hash:
                conn.execute(
                    update(table)
                    .where(table.c.alliance_id == alliance_id, table.c.id == row["id"])
                    .values(password_hash=new_hash)
                )
            subject = TokenSubject(alliance_id, kind, str(row["id"]), now, "", False)
            actor = (load_operator if kind is ActorKind.OPERATOR else load_staff)(conn, subject)
            assert actor is not None
            token = tokens.issue(
                conn, alliance_id=alliance_id, actor_kind=kind, actor_id=actor.id, now=now, ttl=SESSION_TTL
            )
            record(
                conn,
                actor=actor,
                action="auth.login",
                object_type=kind.value,
                object_id=actor.id,
                at=now,
                merchant_id=actor.merchant_id,
            )
            uow.commit()
        self.deps.throttle.clear(LOGIN_LIMIT_PER_ACCOUNT, "login", alliance_id, login.lower())
        return Session(token, actor, now + SESSION_TTL)

    def logout(self, token: str) -> None:
        with SqlUnitOfWork(self.deps.database) as uow:
            tokens.revoke(uow.connection, token, now=self.deps.clock.now())
            uow.commit()

    def activate(self, *, token: str, password: str) -> Actor:
        """Set the first password of an account with its one-time activation token."""
        parts = split_secret_token(token)
        if parts is None:
            raise InvalidActivationToken()
        alliance_id, token_hash = parts
        now = self.deps.clock.now()
        password_hash = self.deps.passwords.hash(password)
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            for kind, table in _TABLE_OF.items():
                c = table.c
                row = conn.execute(
                    select(c.id, c.activation_expires_at).where(
                        c.alliance_id == alliance_id, c.activation_hash == token_hash, c.disabled_at.is_(None)
                    )
                ).first()
                if row is None:
                    continue
                if row.activation_expires_at is None or row.activation_expires_at <= now:
                    raise InvalidActivationToken()
                conn.execute(
                    update(table)
                    .where(c.alliance_id == alliance_id, c.id == row.id)
                    .values(password_hash=password_hash, activation_hash=None, activation_expires_at=None)
                )
                subject = TokenSubject(alliance_id, kind, row.id, now, "", False)
                actor = (load_operator if kind is ActorKind.OPERATOR else load_staff)(conn, subject)
                assert actor is not None
                record(
                    conn,
                    actor=actor,
                    action="auth.activate",
                    object_type=kind.value,
                    object_id=actor.id,
                    at=now,
                    merchant_id=actor.merchant_id,
                )
                uow.commit()
                return actor
        raise InvalidActivationToken()

    def change_password(self, actor: Actor, *, current: str, new: str) -> None:
        """Change one's own password; every other session is signed out."""
        table = _TABLE_OF.get(actor.kind)
        if table is None:
            raise BadCredentials()
        now = self.deps.clock.now()
        new_hash = self.deps.passwords.hash(new)
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            c = table.c
            stored = conn.execute(
                select(c.password_hash).where(c.alliance_id == actor.alliance_id, c.id == actor.id)
            ).scalar_one_or_none()
            if not self.deps.passwords.verify(current, stored)[0]:
                raise BadCredentials("The current password is wrong.")
            conn.execute(
                update(table)
                .where(c.alliance_id == actor.alliance_id, c.id == actor.id)
                .values(password_hash=new_hash)
            )
            tokens.revoke_all_for(
                conn, alliance_id=actor.alliance_id, actor_kind=actor.kind, actor_id=actor.id, now=now
            )
            record(
                conn,
                actor=actor,
                action="auth.change_password",
                object_type=actor.kind.value,
                object_id=actor.id,
                at=now,
                merchant_id=actor.merchant_id,
            )
            uow.commit()
