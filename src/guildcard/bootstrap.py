"""Composition root: builds the adapters once and hands them to entry points.

Contexts add their services here as they land, so that the API, the CLI, jobs and
tests all wire the same things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guildcard.db.engine import Database
from guildcard.kernel.clock import Clock, SystemClock
from guildcard.ledger.keys import AesGcmKeyStore
from guildcard.ledger.standalone import LedgerService
from guildcard.settings import Settings, load_settings


@dataclass
class Container:
    settings: Settings
    database: Database
    clock: Clock = field(default_factory=SystemClock)

    def ledger(self) -> LedgerService:
        """The ledger, each call in its own unit of work (CLI, jobs)."""
        keys = AesGcmKeyStore(self.settings.secret("data_key"))
        return LedgerService(self.database, clock=self.clock, keys=keys)

    def close(self) -> None:
        self.database.dispose()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Container:
    settings = settings or load_settings()
    settings.check_safe()
    database = Database(settings.resolved_database_url)
    return Container(settings=settings, database=database, clock=clock or SystemClock())
