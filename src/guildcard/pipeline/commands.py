"""Commands and their outcomes.

A command is a frozen dataclass naming one intent of an actor (create a store, commit a
purchase). Its ``scope`` names the idempotency namespace; ``idempotency_key`` (None: the
command is not retried by clients, e.g. a profile edit) and every other field make up the
request whose fingerprint a replay must match. ``permission`` names what the actor's role must
hold (the bus checks it first, from the one table in ``kernel/permissions.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from guildcard.kernel.permissions import Perm

R = TypeVar("R")


@dataclass(frozen=True, kw_only=True)
class Command:
    scope: ClassVar[str] = ""
    # The role permission the bus requires before anything else (kernel/permissions.py); None:
    # the handler's ``authorize=`` check decides alone.
    permission: ClassVar[Perm | None] = None
    idempotency_key: str | None = None

    def identity(self) -> Mapping[str, Any]:
        """What the fingerprint covers: every field but the key (override to narrow it)."""
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "idempotency_key"
        }


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """A command's typed result; ``replayed`` when its idempotency key was seen before."""

    value: R
    replayed: bool = False
