"""Alliances (a deployment-level act), their trade categories, contract limits and operators."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from guildcard.alliance.domain.access import Perm
from guildcard.alliance.domain.contracts import DEFAULT_LIMITS, ContractLimits
from guildcard.alliance.domain.errors import (
    AllianceNotFound,
    DuplicateAllianceCode,
    DuplicateLogin,
    ObjectNotFound,
)
from guildcard.alliance.domain.model import Alliance, Operator, OperatorRole, TradeCategory
from guildcard.alliance.domain.tokens import new_secret_token
from guildcard.alliance.domain.validation import check_login
from guildcard.alliance.handlers.common import (
    ACTIVATION_TTL,
    NewAccount,
    alliance_may,
    deps,
    handlers,
    or_raise,
    remember_id,
)
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.ids import new_id
from guildcard.ledger.settings_store import open_alliance_ledger
from guildcard.pipeline import Command, Work

_CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")

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


@dataclass(frozen=True)
class NewAlliance:
    alliance: Alliance
    admin: Operator
    initial_password: str  # generated, shown once


# --- a new alliance (the command's tenant is the new alliance's id) ----------------------------


@dataclass(frozen=True, kw_only=True)
class CreateAlliance(Command):
    scope = "alliance.alliance.create"
    code: str
    name: str
    city: str
    admin_login: str
    admin_name: str = "管理员"


@handlers.register()
def create_alliance(command: CreateAlliance, work: Work) -> NewAlliance:
    code, conn, now = command.code, work.connection, work.now
    if not _CODE_RE.match(code):
        raise InvalidInput("An alliance code is 2-32 lowercase letters, digits or '-'", field="code")
    alliance = Alliance(
        work.alliance_id, code, command.name, command.city, "Asia/Shanghai", DEFAULT_LIMITS, now
    )
    password = secrets.token_urlsafe(12)
    admin = Operator(
        new_id("opr"),
        alliance.id,
        check_login(command.admin_login),
        command.admin_name,
        OperatorRole.ADMIN,
        activated=True,
    )
    if repo.get_alliance(conn, code) is not None:
        raise DuplicateAllianceCode(code=code)
    try:
        conn.execute(
            insert(t.alliances).values(
                id=alliance.id,
                code=code,
                name=alliance.name,
                city=alliance.city,
                time_zone=alliance.time_zone,
                contract_limits=DEFAULT_LIMITS.as_strings(),
                created_at=now,
            )
        )
    except IntegrityError as exc:  # a concurrent create with the same code
        raise DuplicateAllianceCode(code=code) from exc
    repo.replace_categories(conn, alliance.id, DEFAULT_CATEGORIES)
    # Every alliance has its own ledger (policies, Ed25519 checkpoint key) from day one.
    open_alliance_ledger(conn, alliance_id=alliance.id, keys=deps(work).ledger_keys, now=now)
    conn.execute(
        insert(t.operators).values(
            alliance_id=alliance.id,
            id=admin.id,
            login=admin.login,
            display_name=admin.display_name,
            role=admin.role.value,
            password_hash=deps(work).passwords.hash(password),
            created_at=now,
        )
    )
    work.audit("alliance.create", object_type="alliance", object_id=alliance.id, details={"code": code})
    work.emit("alliance.alliance_created", alliance.id)
    return NewAlliance(alliance, admin, password)


# --- the operators' alliance settings ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SetCategories(Command):
    scope = "alliance.categories.set"
    items: tuple[TradeCategory, ...]


@handlers.register(authorize=alliance_may(Perm.ALLIANCE_CONFIGURE))
def set_categories(command: SetCategories, work: Work) -> list[TradeCategory]:
    codes = [c.code for c in command.items]
    if len(set(codes)) != len(codes) or not all(re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", c) for c in codes):
        raise InvalidInput("Category codes are unique lowercase slugs", field="categories")
    repo.replace_categories(work.connection, work.alliance_id, command.items)
    work.audit(
        "alliance.set_categories",
        object_type="alliance",
        object_id=work.alliance_id,
        details={"codes": codes},
    )
    return repo.categories(work.connection, work.alliance_id)


@dataclass(frozen=True, kw_only=True)
class SetLimits(Command):
    scope = "alliance.limits.set"
    limits: ContractLimits


@handlers.register(authorize=alliance_may(Perm.ALLIANCE_CONFIGURE))
def set_limits(command: SetLimits, work: Work) -> Alliance:
    conn = work.connection
    conn.execute(
        update(t.alliances)
        .where(t.alliances.c.id == work.alliance_id)
        .values(contract_limits=command.limits.as_strings())
    )
    work.audit(
        "alliance.set_limits",
        object_type="alliance",
        object_id=work.alliance_id,
        details=command.limits.as_strings(),
    )
    return or_raise(repo.get_alliance(conn, work.alliance_id), AllianceNotFound)


# --- operators ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateOperator(Command):
    scope = "alliance.operator.create"
    login: str
    display_name: str
    role: OperatorRole


def _reload_operator(stored: Any, work: Work) -> NewAccount:
    operator = or_raise(repo.get_operator(work.connection, work.alliance_id, stored["id"]), ObjectNotFound)
    return NewAccount(operator, None)  # the activation token was shown once


@handlers.register(
    authorize=alliance_may(Perm.OPERATOR_MANAGE),
    remember=lambda created: remember_id(created.account),
    replay=_reload_operator,
)
def create_operator(command: CreateOperator, work: Work) -> NewAccount:
    conn, now, login = work.connection, work.now, check_login(command.login)
    if repo.login_taken(conn, work.alliance_id, login):
        raise DuplicateLogin(field="login")
    token, token_hash = new_secret_token(work.alliance_id)
    operator = Operator(new_id("opr"), work.alliance_id, login, command.display_name, command.role)
    conn.execute(
        insert(t.operators).values(
            alliance_id=work.alliance_id,
            id=operator.id,
            login=login,
            display_name=command.display_name,
            role=command.role.value,
            activation_hash=token_hash,
            activation_expires_at=now + ACTIVATION_TTL,
            created_at=now,
        )
    )
    work.audit(
        "operator.create", object_type="operator", object_id=operator.id, details={"role": command.role.value}
    )
    work.emit("alliance.operator_added", operator.id, role=command.role.value)
    return NewAccount(operator, token)


@dataclass(frozen=True, kw_only=True)
class DisableOperator(Command):
    scope = "alliance.operator.disable"
    operator_id: str


@handlers.register(authorize=alliance_may(Perm.OPERATOR_MANAGE))
def disable_operator(command: DisableOperator, work: Work) -> Operator:
    conn, now = work.connection, work.now
    operator = or_raise(repo.get_operator(conn, work.alliance_id, command.operator_id), ObjectNotFound)
    if operator.id == work.actor.id:
        raise InvalidInput("You cannot disable yourself.")
    c = t.operators.c
    conn.execute(
        update(t.operators)
        .where(c.alliance_id == work.alliance_id, c.id == operator.id)
        .values(disabled_at=now)
    )
    work.audit("operator.disable", object_type="operator", object_id=operator.id)
    work.emit("alliance.operator_disabled", operator.id)
    return replace(operator, disabled_at=now)
