"""What the alliance's handlers share: the registry, their dependencies, small helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.model import Operator, StaffAccount
from guildcard.kernel.actors import Actor
from guildcard.ledger.keys import KeyStore
from guildcard.pipeline import Handlers, Work
from guildcard.privacy.cipher import FieldCipher, LookupHasher

T = TypeVar("T")

handlers = Handlers("alliance")

ACTIVATION_TTL = timedelta(days=7)


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password: str, stored: str | None) -> tuple[bool, str | None]: ...


class AllianceDeps(Protocol):
    """What handlers use of the context's ``Deps`` (``work.deps``, provided to the bus)."""

    @property
    def cipher(self) -> FieldCipher: ...
    @property
    def lookup(self) -> LookupHasher: ...
    @property
    def passwords(self) -> PasswordHasher: ...
    @property
    def ledger_keys(self) -> KeyStore: ...


def deps(work: Work) -> AllianceDeps:
    provided: AllianceDeps = work.deps
    return provided


@dataclass(frozen=True)
class NewAccount:
    """An operator or staff account and its one-time activation token (absent on replays)."""

    account: Operator | StaffAccount
    activation_token: str | None


def alliance_may(*perms: Perm) -> Callable[[Actor, Any], None]:
    """An ``authorize=`` check of alliance-level permissions (no object to read)."""

    def check(actor: Actor, _command: Any) -> None:
        for perm in perms:
            authorize(actor, perm, alliance_id=actor.alliance_id)

    return check


def merchant_may(perm: Perm) -> Callable[[Actor, Any], None]:
    """An ``authorize=`` check of a permission on the command's ``merchant_id``."""

    def check(actor: Actor, command: Any) -> None:
        authorize(actor, perm, alliance_id=actor.alliance_id, merchant_id=command.merchant_id)

    return check


def or_raise(value: T | None, error: Callable[[], Exception]) -> T:
    if value is None:
        raise error()
    return value


def remember_id(value: Any) -> dict[str, str]:
    """What a create's idempotency record keeps: the new object's id (replays reload it)."""
    return {"id": value.id}
