"""Alliances (a deployment-level act), their trade categories, contract limits and operators."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.contracts import DEFAULT_LIMITS, ContractLimits
from guildcard.alliance.domain.errors import (
    AllianceNotFound,
    DuplicateAllianceCode,
    DuplicateLogin,
    ObjectNotFound,
)
from guildcard.alliance.domain.model import Alliance, Operator, OperatorRole, StaffAccount, TradeCategory
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
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor, system_actor
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.ids import new_id
from guildcard.ledger.settings_store import open_alliance_ledger

ACTIVATION_TTL = timedelta(days=7)
_CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
_LOGIN_RE = re.compile(r"^[A-Za-z0-9._@+-]{3,64}$")

DEFAULT_CATEGORIES = (
    TradeCategory("dining", "火锅/餐饮"),
    TradeCategory("tea", "茶饮"),
    TradeCategory("cinema", "影院"),
    TradeCategory("ktv", "KTV"),
    TradeCategory("fitness", "健身"),
    TradeCategory("beauty", "美容美发"),
    TradeCategory("books", "书店"),
    TradeCategory("home", "家居"),
)


def check_login(login: str) -> str:
    login = login.strip()
    if not _LOGIN_RE.match(login):
        raise InvalidInput("A login is 3-64 letters, digits or . _ @ + -", field="login")
    return login


@dataclass(frozen=True)
class NewAlliance:
    alliance: Alliance
    admin: Operator
    initial_password: str  # generated, shown once


@dataclass(frozen=True)
class NewAccount:
    """An operator or staff account and its one-time activation token (absent on replays)."""

    account: Operator | StaffAccount
    activation_token: str | None


class AllianceService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # --- deployment level (CLI) -----------------------------------------------------------

    def create_alliance(
        self, *, code: str, name: str, city: str, admin_login: str, admin_name: str = "管理员"
    ) -> NewAlliance:
        if not _CODE_RE.match(code):
            raise InvalidInput("An alliance code is 2-32 lowercase letters, digits or '-'", field="code")
        now = self.deps.clock.now()
        alliance = Alliance(new_id("all"), code, name, city, "Asia/Shanghai", DEFAULT_LIMITS, now)
        password = secrets.token_urlsafe(12)
        admin = Operator(
            new_id("opr"),
            alliance.id,
            check_login(admin_login),
            admin_name,
            OperatorRole.ADMIN,
            activated=True,
        )
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            if repo.get_alliance(conn, code) is not None:
                raise DuplicateAllianceCode(code=code)
            conn.execute(
                insert(t.alliances).values(
                    id=alliance.id,
                    code=code,
                    name=name,
                    city=city,
                    time_zone=alliance.time_zone,
                    contract_limits=DEFAULT_LIMITS.as_strings(),
                    created_at=now,
                )
            )
            repo.replace_categories(conn, alliance.id, DEFAULT_CATEGORIES)
            # Every alliance has its own ledger (policies, Ed25519 checkpoint key) from day one.
            open_alliance_ledger(conn, alliance_id=alliance.id, keys=self.deps.ledger_keys, now=now)
            conn.execute(
                insert(t.operators).values(
                    alliance_id=alliance.id,
                    id=admin.id,
                    login=admin.login,
                    display_name=admin_name,
                    role=admin.role.value,
                    password_hash=self.deps.passwords.hash(password),
                    created_at=now,
                )
            )
            record(
                conn,
                actor=system_actor(alliance.id, "cli"),
                action="alliance.create",
                object_type="alliance",
                object_id=alliance.id,
                at=now,
                details={"code": code},
            )
            try:
                uow.commit()
            except IntegrityError as exc:
                raise DuplicateAllianceCode(code=code) from exc
        return NewAlliance(alliance, admin, password)

    def list_alliances(self) -> list[Alliance]:
        with self.deps.database.read() as conn:
            return repo.list_alliances(conn)

    # --- public -----------------------------------------------------------------------------

    def find(self, id_or_code: str) -> Alliance:
        with self.deps.database.read() as conn:
            return or_raise(repo.get_alliance(conn, id_or_code), AllianceNotFound)

    def public_categories(self, id_or_code: str) -> list[TradeCategory]:
        with self.deps.database.read() as conn:
            alliance = or_raise(repo.get_alliance(conn, id_or_code), AllianceNotFound)
            return repo.categories(conn, alliance.id, active_only=True)

    # --- operators' alliance settings ------------------------------------------------------

    def get(self, actor: Actor) -> Alliance:
        with self.deps.database.read() as conn:
            return or_raise(repo.get_alliance(conn, actor.alliance_id), AllianceNotFound)

    def categories(self, actor: Actor) -> list[TradeCategory]:
        with self.deps.database.read() as conn:
            return repo.categories(conn, actor.alliance_id)

    def set_categories(self, actor: Actor, items: Sequence[TradeCategory]) -> list[TradeCategory]:
        authorize(actor, Perm.ALLIANCE_CONFIGURE, alliance_id=actor.alliance_id)
        codes = [c.code for c in items]
        if len(set(codes)) != len(codes) or not all(re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", c) for c in codes):
            raise InvalidInput("Category codes are unique lowercase slugs", field="categories")
        with SqlUnitOfWork(self.deps.database) as uow:
            repo.replace_categories(uow.connection, actor.alliance_id, items)
            record(
                uow.connection,
                actor=actor,
                action="alliance.set_categories",
                object_type="alliance",
                object_id=actor.alliance_id,
                at=self.deps.clock.now(),
                details={"codes": codes},
            )
            result = repo.categories(uow.connection, actor.alliance_id)
            uow.commit()
        return result

    def set_limits(self, actor: Actor, limits: ContractLimits) -> Alliance:
        authorize(actor, Perm.ALLIANCE_CONFIGURE, alliance_id=actor.alliance_id)
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            conn.execute(
                update(t.alliances)
                .where(t.alliances.c.id == actor.alliance_id)
                .values(contract_limits=limits.as_strings())
            )
            record(
                conn,
                actor=actor,
                action="alliance.set_limits",
                object_type="alliance",
                object_id=actor.alliance_id,
                at=self.deps.clock.now(),
                details=limits.as_strings(),
            )
            alliance = or_raise(repo.get_alliance(conn, actor.alliance_id), AllianceNotFound)
            uow.commit()
        return alliance

    # --- operators ------------------------------------------------------------------------

    def list_operators(self, actor: Actor) -> list[Operator]:
        authorize(actor, Perm.OPERATOR_MANAGE, alliance_id=actor.alliance_id)
        with self.deps.database.read() as conn:
            return repo.list_operators(conn, actor.alliance_id)

    def create_operator(
        self, actor: Actor, *, login: str, display_name: str, role: OperatorRole, idempotency_key: str | None
    ) -> Created[NewAccount]:
        authorize(actor, Perm.OPERATOR_MANAGE, alliance_id=actor.alliance_id)
        login = check_login(login)
        now = self.deps.clock.now()
        request = {"login": login, "display_name": display_name, "role": role.value}
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            scope = "alliance.operator.create"
            replay = claim_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                request=request,
                now=now,
            )
            if replay is not None:
                operator = or_raise(repo.get_operator(conn, actor.alliance_id, replay["id"]), ObjectNotFound)
                return Created(NewAccount(operator, None), replayed=True)
            if repo.login_taken(conn, actor.alliance_id, login):
                raise DuplicateLogin(field="login")
            token, token_hash = new_secret_token(actor.alliance_id)
            operator = Operator(new_id("opr"), actor.alliance_id, login, display_name, role)
            conn.execute(
                insert(t.operators).values(
                    alliance_id=actor.alliance_id,
                    id=operator.id,
                    login=login,
                    display_name=display_name,
                    role=role.value,
                    activation_hash=token_hash,
                    activation_expires_at=now + ACTIVATION_TTL,
                    created_at=now,
                )
            )
            record(
                conn,
                actor=actor,
                action="operator.create",
                object_type="operator",
                object_id=operator.id,
                at=now,
                details={"role": role.value},
            )
            remember_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                response={"id": operator.id},
            )
            uow.commit()
        return Created(NewAccount(operator, token))

    def disable_operator(self, actor: Actor, operator_id: str) -> Operator:
        authorize(actor, Perm.OPERATOR_MANAGE, alliance_id=actor.alliance_id)
        now = self.deps.clock.now()
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            operator = or_raise(repo.get_operator(conn, actor.alliance_id, operator_id), ObjectNotFound)
            if operator.id == actor.id:
                raise InvalidInput("You cannot disable yourself.")
            c = t.operators.c
            conn.execute(
                update(t.operators)
                .where(c.alliance_id == actor.alliance_id, c.id == operator_id)
                .values(disabled_at=now)
            )
            record(
                conn,
                actor=actor,
                action="operator.disable",
                object_type="operator",
                object_id=operator_id,
                at=now,
            )
            uow.commit()
        return replace(operator, disabled_at=now)
