"""The ledger's commands for its standalone use (CLI, jobs, tests), run by the command bus.

Other contexts write ledger entries with ``Ledger`` inside their own commands. Here the
ledger is the whole command: ``RunOnLedger`` runs a function of a ``Ledger`` (each entry it
writes carries its own idempotency key, so the command needs none); policy changes bump the
alliance's "ledger" configuration version, so every process's cached settings follow them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from guildcard.db.batch import WriteBatch
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import jobs, settings_store
from guildcard.ledger.domain.policy import ExpiryPolicy, LedgerSettings, NegativePolicy
from guildcard.ledger.domain.results import JobResult
from guildcard.ledger.keys import KeyStore
from guildcard.ledger.service import Ledger
from guildcard.pipeline import Command, Handlers, Work, versions
from guildcard.pipeline.versions import VersionedCache

handlers = Handlers("ledger")


@dataclass
class LedgerAccess:
    """How a command gets its ``Ledger``: the alliance's settings from a cache that follows their
    version, and the shared accounts known to exist (registered by committed work only)."""

    settings: VersionedCache[LedgerSettings] = field(
        default_factory=lambda: VersionedCache(versions.Topic.LEDGER, settings_store.load_settings)
    )
    known_accounts: dict[str, set[str]] = field(default_factory=dict)

    def for_command(self, work: Work, *, fresh_keys: bool = False) -> Ledger:
        """The command's ledger: its postings written together before commit.

        ``fresh_keys``: the command derives every ledger key from an id it has just claimed, so
        the entries' headers are written together too (``Ledger(defer_claims=True)``), and on
        PostgreSQL everything the ledger writes joins the command's write batch (``work.writes``).
        """
        known = self.known_accounts.setdefault(work.alliance_id, set())
        ledger = self.for_read(
            work.connection, work.alliance_id, work.now, work.memo, known=known, defer=True,
            defer_claims=fresh_keys, writes=work.writes,
        )  # fmt: skip
        work.before_commit.append(ledger.flush)
        work.on_commit.append(lambda: known.update(ledger.registered_accounts))
        return ledger

    def for_read(
        self,
        conn: Connection,
        alliance_id: str,
        now: datetime,
        memo: dict[str, Any],
        *,
        known: set[str] | frozenset[str] = frozenset(),
        defer: bool = False,
        defer_claims: bool = False,
        writes: WriteBatch | None = None,
    ) -> Ledger:
        # Read when an operation first needs them (a spend never does): one round trip saved.
        settings = lambda: self.settings.get(conn, alliance_id, memo)  # noqa: E731 - a deferred read
        return Ledger(
            conn, alliance_id=alliance_id, clock=FixedClock(now), settings_source=settings,
            known_accounts=known, defer_postings=defer, defer_claims=defer_claims, writes=writes,
        )  # fmt: skip


@dataclass
class LedgerDeps:
    keys: KeyStore
    access: LedgerAccess = field(default_factory=LedgerAccess)


@dataclass(frozen=True, kw_only=True)
class RunOnLedger(Command):
    scope = "ledger.run"
    run: Callable[[Ledger], Any]

    def identity(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, kw_only=True)
class ExpirePoints(Command):
    """Move what expired by the end of ``as_of`` to breakage (the entry's own key makes it once)."""

    scope = "ledger.expire"
    as_of: date


@dataclass(frozen=True, kw_only=True)
class OpenAllianceLedger(Command):
    scope = "ledger.open"
    expiry: ExpiryPolicy | None = None
    negative: NegativePolicy | None = None


@dataclass(frozen=True, kw_only=True)
class UpdatePolicies(Command):
    scope = "ledger.policies"
    expiry: ExpiryPolicy | None = None
    negative: NegativePolicy | None = None


@handlers.register()
def run_on_ledger(command: RunOnLedger, work: Work) -> Any:
    return command.run(work.deps.access.for_command(work))


@handlers.register()
def expire_points(command: ExpirePoints, work: Work) -> JobResult:
    result = jobs.expire(work.deps.access.for_command(work), as_of=command.as_of)
    if result.points and not result.replayed:
        work.emit("ledger.points_expired", work.alliance_id, as_of=command.as_of.isoformat(),
                  lots=result.lots, points=result.points)  # fmt: skip
    return result


@handlers.register()
def open_alliance_ledger(command: OpenAllianceLedger, work: Work) -> LedgerSettings:
    settings = settings_store.open_alliance_ledger(
        work.connection, alliance_id=work.alliance_id, keys=work.deps.keys, now=work.now,
        expiry=command.expiry, negative=command.negative,
    )  # fmt: skip
    versions.bump(work.connection, work.alliance_id, versions.Topic.LEDGER)
    return settings


@handlers.register()
def update_policies(command: UpdatePolicies, work: Work) -> LedgerSettings:
    settings = settings_store.update_policies(
        work.connection, alliance_id=work.alliance_id, expiry=command.expiry, negative=command.negative
    )
    versions.bump(work.connection, work.alliance_id, versions.Topic.LEDGER)
    changed = [name for name in ("expiry", "negative") if getattr(command, name) is not None]
    work.audit(
        "ledger.policies_changed",
        object_type="ledger",
        object_id=work.alliance_id,
        details={"changed": changed},
    )
    work.emit("ledger.policies_changed", work.alliance_id, changed=changed)
    return settings
