"""What every alliance service needs, and small helpers they share."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from guildcard.alliance.handlers import handlers
from guildcard.alliance.services.passwords import Passwords
from guildcard.db import idempotency
from guildcard.db.engine import Database
from guildcard.kernel.clock import Clock
from guildcard.kernel.fingerprint import fingerprint
from guildcard.ledger.keys import KeyStore
from guildcard.pipeline import CommandBus
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.throttle import Throttle

T = TypeVar("T")


@dataclass(frozen=True)
class Deps:
    database: Database
    clock: Clock
    cipher: FieldCipher
    lookup: LookupHasher
    throttle: Throttle
    passwords: Passwords
    ledger_keys: KeyStore  # seals each new alliance's ledger signing key
    bus: CommandBus = None  # type: ignore[assignment]  # None: a bus of the alliance's own handlers

    def __post_init__(self) -> None:
        if self.bus is None:
            object.__setattr__(
                self, "bus", CommandBus(self.database, self.clock, [handlers], deps={"alliance": self})
            )


@dataclass(frozen=True)
class Created(Generic[T]):
    """The result of a create command; ``replayed`` when the idempotency key was seen before.

    A replay reloads the object the first request created; secrets shown once (activation
    tokens, POS keys) are not stored with the idempotency record and are absent from replays.
    """

    value: T
    replayed: bool = False


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret_token(alliance_id: str) -> tuple[str, str]:
    """``(token, hash)``: ``{alliance_id}.{secret}``, shown once; only the hash is stored."""
    secret = secrets.token_urlsafe(32)
    return f"{alliance_id}.{secret}", hash_secret(secret)


def split_secret_token(token: str) -> tuple[str, str] | None:
    alliance_id, sep, secret = token.strip().rpartition(".")
    if not sep or not alliance_id or len(secret) < 20:
        return None
    return alliance_id, hash_secret(secret)


def claim_key(
    conn: Connection,
    *,
    alliance_id: str,
    scope: str,
    key: str | None,
    request: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any] | None:
    """The first response for a replayed key, or None (go ahead and do the work)."""
    if key is None:
        return None
    replay = idempotency.claim(
        conn, alliance_id=alliance_id, scope=scope, key=key, fingerprint=fingerprint(request), now=now
    )
    return dict(replay) if replay is not None else None


def remember_key(
    conn: Connection, *, alliance_id: str, scope: str, key: str | None, response: dict[str, Any]
) -> None:
    if key is not None:
        idempotency.remember(conn, alliance_id=alliance_id, scope=scope, key=key, response=response)


def or_raise(value: T | None, error: Callable[[], Exception]) -> T:
    if value is None:
        raise error()
    return value
