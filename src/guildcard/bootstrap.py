"""Composition root: builds the adapters once and hands them to entry points.

Contexts add their services here as they land, so that the API, the CLI, jobs and
tests all wire the same things the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Connection

from guildcard.auth.tokens import TokenSubject
from guildcard.counter.batching import GroupCommitter
from guildcard.counter.ports import CounterPorts
from guildcard.counter.service import CounterService
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import Clock, SystemClock
from guildcard.kernel.errors import Unavailable
from guildcard.ledger.keys import AesGcmKeyStore
from guildcard.ledger.standalone import LedgerService
from guildcard.loyalty.service import LoyaltyService
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.settings import Settings, load_settings
from guildcard.throttle import Throttle

# Turns a token's subject into a full actor (roles, stores), or None when the actor is gone
# or suspended. Each context registers the loaders for the kinds of actor it owns.
ActorLoader = Callable[[Connection, TokenSubject], Actor | None]
# Authenticates a bearer credential that is not a session token (e.g. a store's POS API key).
CredentialAuthenticator = Callable[[Connection, str], Actor | None]


@dataclass
class Container:
    settings: Settings
    database: Database
    clock: Clock
    cipher: FieldCipher
    lookup: LookupHasher
    throttle: Throttle
    actor_loaders: dict[ActorKind, ActorLoader] = field(default_factory=dict)
    credential_authenticators: list[CredentialAuthenticator] = field(default_factory=list)
    # The counter reaches members, alliance, settlement and audit through ports (counter/ports.py);
    # until their adapters are wired the counter endpoints answer 503.
    counter_ports: CounterPorts | None = None
    counter_group_commit: bool = False  # batch concurrent commits into one transaction

    @cached_property
    def loyalty(self) -> LoyaltyService:
        return LoyaltyService(self.database, self.clock)

    @cached_property
    def counter_committer(self) -> GroupCommitter | None:
        return GroupCommitter(self.database) if self.counter_group_commit else None

    @cached_property
    def counter(self) -> CounterService:
        if self.counter_ports is None:
            raise Unavailable("The counter's adapters (members, alliance, settlement) are not wired yet.")
        return CounterService(self.database, self.clock, self.counter_ports, committer=self.counter_committer)

    def ledger(self) -> LedgerService:
        """The ledger, each call in its own unit of work (CLI, jobs)."""
        keys = AesGcmKeyStore(self.settings.secret("data_key"))
        return LedgerService(self.database, clock=self.clock, keys=keys)

    def close(self) -> None:
        if self.counter_group_commit and self.counter_committer is not None:
            self.counter_committer.close()
        self.database.dispose()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Container:
    settings = settings or load_settings()
    settings.check_safe()
    return Container(
        settings=settings,
        database=Database(settings.resolved_database_url),
        clock=clock or SystemClock(),
        cipher=FieldCipher(settings.secret("data_key")),
        lookup=LookupHasher(settings.secret("lookup_key")),
        throttle=Throttle(settings.rate_limit_storage),
    )
