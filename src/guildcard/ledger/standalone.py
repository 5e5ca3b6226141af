"""``LedgerService``: each call in its own unit of work (CLI, jobs, tests, standalone use).

Other contexts that need atomicity with their own writes use ``Ledger`` on their connection.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, system_actor
from guildcard.kernel.clock import Clock
from guildcard.ledger import bulk, checkpoints, jobs, reversal, settings_store
from guildcard.ledger.bulk import AwardRequest
from guildcard.ledger.domain.policy import ExpiryPolicy, LedgerSettings, NegativePolicy
from guildcard.ledger.domain.results import (
    CheckpointResult,
    EntryResult,
    InclusionProof,
    JobResult,
    Violation,
)
from guildcard.ledger.handlers import (
    ExpirePoints,
    LedgerDeps,
    OpenAllianceLedger,
    RunOnLedger,
    UpdatePolicies,
    handlers,
)
from guildcard.ledger.keys import KeyStore
from guildcard.ledger.queries import LedgerQueries
from guildcard.ledger.service import Ledger
from guildcard.ledger.verify import verify_alliance
from guildcard.pipeline import CommandBus

T = TypeVar("T")


class LedgerService:
    def __init__(
        self, database: Database, *, clock: Clock, keys: KeyStore, bus: CommandBus | None = None
    ) -> None:
        self.database = database
        self.clock = clock
        self.keys = keys
        self.deps = LedgerDeps(keys)
        self.bus = bus or CommandBus(database, clock, [handlers])
        self.bus.provide("ledger", self.deps)

    # --- plumbing ----------------------------------------------------------------------------

    def write(self, alliance_id: str, work: Callable[[Ledger], T]) -> T:
        """Run ``work`` on a ``Ledger`` in one committed command (retried on deadlock)."""
        value: T = self.bus.execute(_system(alliance_id), RunOnLedger(run=work)).value
        return value

    def read(self, work: Callable[[Connection], T]) -> T:
        with self.database.read() as conn:
            return work(conn)

    def queries(self, alliance_id: str) -> _ReadProxy:
        return _ReadProxy(self, alliance_id)

    # --- settings ----------------------------------------------------------------------------

    def open_alliance_ledger(
        self, alliance_id: str, *, expiry: ExpiryPolicy | None = None, negative: NegativePolicy | None = None
    ) -> LedgerSettings:
        command = OpenAllianceLedger(expiry=expiry, negative=negative)
        settings: LedgerSettings = self.bus.execute(_system(alliance_id), command).value
        return settings

    def update_policies(
        self,
        alliance_id: str,
        *,
        expiry: ExpiryPolicy | None = None,
        negative: NegativePolicy | None = None,
        actor: Actor | None = None,
    ) -> LedgerSettings:
        """Change the expiry or negative-balance policy; every process sees it at its next command."""
        command = UpdatePolicies(expiry=expiry, negative=negative)
        settings: LedgerSettings = self.bus.execute(actor or _system(alliance_id), command).value
        return settings

    def alliances(self) -> list[str]:
        return self.read(settings_store.alliance_ids)

    # --- commands (keyword arguments as on ``Ledger``) ------------------------------------------

    def award(self, alliance_id: str, **kwargs: Any) -> EntryResult:
        return self.write(alliance_id, lambda ledger: ledger.award(**kwargs))

    def award_many(self, alliance_id: str, requests: list[AwardRequest]) -> list[EntryResult]:
        return self.write(alliance_id, lambda ledger: bulk.award_many(ledger, requests))

    def spend(self, alliance_id: str, **kwargs: Any) -> EntryResult:
        return self.write(alliance_id, lambda ledger: ledger.spend(**kwargs))

    def hold(self, alliance_id: str, **kwargs: Any) -> EntryResult:
        return self.write(alliance_id, lambda ledger: ledger.hold(**kwargs))

    def commit_hold(self, alliance_id: str, hold_id: str, **kwargs: Any) -> EntryResult:
        return self.write(alliance_id, lambda ledger: ledger.commit_hold(hold_id, **kwargs))

    def void_hold(self, alliance_id: str, hold_id: str, **kwargs: Any) -> EntryResult:
        return self.write(alliance_id, lambda ledger: ledger.void_hold(hold_id, **kwargs))

    def grant_growth(self, alliance_id: str, **kwargs: Any) -> EntryResult:
        return self.write(alliance_id, lambda ledger: ledger.grant_growth(**kwargs))

    def post(self, alliance_id: str, **kwargs: Any) -> EntryResult:
        return self.write(alliance_id, lambda ledger: ledger.post(**kwargs))

    def reverse(self, alliance_id: str, entry_id: str, **kwargs: Any) -> EntryResult:
        return self.write(alliance_id, lambda ledger: reversal.reverse(ledger, entry_id, **kwargs))

    def void_pending(self, alliance_id: str, entry_id: str, **kwargs: Any) -> EntryResult:
        """Void pending points (e.g. a refund before release): a reversal of the pending award."""
        return self.reverse(alliance_id, entry_id, **kwargs)

    # --- jobs --------------------------------------------------------------------------------

    def expire(self, alliance_id: str, *, as_of: date) -> JobResult:
        result: JobResult = self.bus.execute(_system(alliance_id), ExpirePoints(as_of=as_of)).value
        return result

    def release_pending(self, alliance_id: str, *, as_of: datetime | None = None) -> JobResult:
        moment = as_of or self.clock.now()
        total = JobResult(0, 0, 0)
        while True:
            batch = self.write(
                alliance_id, lambda ledger: jobs.release_pending(ledger, as_of=moment, limit=500)
            )
            total = JobResult(
                total.entries + batch.entries, total.lots + batch.lots, total.points + batch.points
            )
            if batch.lots < 500:
                return total

    def void_expired_holds(self, alliance_id: str, *, as_of: datetime | None = None) -> JobResult:
        moment = as_of or self.clock.now()
        return self.write(alliance_id, lambda ledger: jobs.void_expired_holds(ledger, as_of=moment))

    def checkpoint(self, alliance_id: str) -> CheckpointResult | None:
        return self.write(
            alliance_id,
            lambda ledger: checkpoints.make_checkpoint(
                ledger.conn, alliance_id=alliance_id, keys=self.keys, now=self.clock.now()
            ),
        )

    def inclusion_proof(self, alliance_id: str, entry_id: str) -> InclusionProof:
        return self.read(
            lambda conn: checkpoints.inclusion_proof(conn, alliance_id=alliance_id, entry_id=entry_id)
        )

    def verify(self, alliance_id: str | None = None) -> dict[str, list[Violation]]:
        """Violations per alliance (every alliance when None); empty lists mean all invariants hold."""

        def run(conn: Connection) -> dict[str, list[Violation]]:
            ids = [alliance_id] if alliance_id else settings_store.alliance_ids(conn)
            return {a: verify_alliance(conn, a) for a in ids}

        return self.read(run)


def _system(alliance_id: str) -> Actor:
    """Jobs and the CLI act on the ledger as the system."""
    return system_actor(alliance_id, "ledger")


class _ReadProxy:
    """``service.queries(a).balance(m)``: a ``LedgerQueries`` method in its own read transaction."""

    def __init__(self, service: LedgerService, alliance_id: str) -> None:
        self._service, self._alliance_id = service, alliance_id

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self._service.read(
                lambda conn: getattr(LedgerQueries(conn, alliance_id=self._alliance_id), name)(
                    *args, **kwargs
                )
            )

        return call
