"""Composition root: builds the adapters once and hands them to entry points.

Contexts add their services here as they land, so that the API, the CLI, jobs and
tests all wire the same things the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from guildcard.auth.tokens import TokenSubject
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import Clock, SystemClock
from guildcard.ledger.keys import AesGcmKeyStore
from guildcard.ledger.standalone import LedgerService
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.settings import Settings, load_settings
from guildcard.settlement.domain.terms import MemberSalesSource, TermsProvider
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
    # Settlement's ports: contract terms (alliance context) and member sales (counter).
    settlement_terms: TermsProvider | None = None
    settlement_sales: MemberSalesSource | None = None

    def ledger(self) -> LedgerService:
        """The ledger, each call in its own unit of work (CLI, jobs)."""
        keys = AesGcmKeyStore(self.settings.secret("data_key"))
        return LedgerService(self.database, clock=self.clock, keys=keys)

    def close(self) -> None:
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
