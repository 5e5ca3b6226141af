"""What every alliance service needs; services are façades that run commands on the bus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from guildcard.alliance.handlers import handlers
from guildcard.alliance.services.passwords import Passwords
from guildcard.db.engine import Database
from guildcard.kernel.clock import Clock
from guildcard.ledger.keys import KeyStore
from guildcard.pipeline import CommandBus, Outcome
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.throttle import Throttle

T = TypeVar("T")


@dataclass(frozen=True)
class Deps:
    """The alliance's dependencies; the bus hands them to its handlers as ``work.deps``."""

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

    @classmethod
    def of(cls, outcome: Outcome[T]) -> Created[T]:
        return cls(outcome.value, replayed=outcome.replayed)
