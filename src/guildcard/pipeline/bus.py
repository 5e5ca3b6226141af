"""The command bus: the one way every write command of every context runs.

``bus.execute(actor, command)``:

1. authorize the actor (the handler's cheap check; object-level checks run in the handler);
2. open one unit of work (one transaction; on SQLite ``BEGIN IMMEDIATE``);
3. claim the idempotency key with a fingerprint of the command: a replay returns the first
   typed result with ``replayed=True``; the same key with another body raises
   ``IdempotencyConflict`` (or the handler's natural-key claim, e.g. an order number);
4. run the handler, which writes through ports that all receive this unit of work;
5. write its audit lines and its events (into the outbox table);
6. commit, then hand the events to in-process subscribers.

Serialization failures and deadlocks are retried here (``db.uow.committed``), and nowhere else. A batchable
command may share its transaction with concurrent ones (``GroupCommitter``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from sqlalchemy import Connection

from guildcard.audit.log import line as audit_line
from guildcard.audit.tables import audit_log
from guildcard.db import idempotency
from guildcard.db.engine import Database
from guildcard.db.tables import outbox_events
from guildcard.db.uow import committed
from guildcard.kernel import permissions
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.fingerprint import fingerprint
from guildcard.pipeline import outbox
from guildcard.pipeline.commands import Command, Outcome
from guildcard.pipeline.group import GroupCommitter, in_savepoints
from guildcard.pipeline.registry import Handlers, Registration
from guildcard.pipeline.work import Event, Work

log = logging.getLogger(__name__)

Subscriber = Callable[[str, list[Event]], None]


class CommandBus:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        handlers: Iterable[Handlers] = (),
        *,
        committer: GroupCommitter | None = None,
        deps: Mapping[str, Any] | None = None,
    ) -> None:
        self.database = database
        self._deps: dict[str, Any] = dict(deps or {})
        self.clock = clock
        self.committer = committer
        self._registrations: dict[type[Command], Registration] = {}
        self._subscribers: list[Subscriber] = []
        self._context_hooks: dict[str, list[Callable[[], None]]] = {}
        for group in handlers:
            self.include(group)

    def include(self, handlers: Handlers) -> None:
        for command, registration in handlers.registrations.items():
            if command in self._registrations:
                raise TypeError(f"{command.__qualname__} is handled twice")
            self._registrations[command] = registration

    def provide(self, context: str, deps: Any) -> None:
        """What ``context``'s handlers find in ``work.deps`` (its cipher, clock, password hasher...)."""
        self._deps[context] = deps

    def after_commands_of(self, contexts: Iterable[str], callback: Callable[[], None]) -> None:
        """Call ``callback`` after every commit of a command of one of ``contexts`` (caches' invalidation)."""
        for context in contexts:
            self._context_hooks.setdefault(context, []).append(callback)

    def subscribe(self, subscriber: Subscriber) -> None:
        """Called after each commit with the alliance and the command's events (never raises out)."""
        self._subscribers.append(subscriber)

    def execute(self, actor: Actor, command: Command, *, alliance_id: str | None = None) -> Outcome[Any]:
        registration, digest = self._prepare(actor, command)
        tenant = alliance_id or actor.alliance_id

        def run_in(conn: Connection) -> tuple[Outcome[Any], Work | None]:
            return self._run(conn, registration, actor, tenant, command, digest)

        if registration.batchable and self.committer is not None:
            outcome, work = self.committer.submit(run_in)
        else:
            outcome, work = committed(self.database, run_in)
        self._committed(tenant, [work])
        return outcome

    def execute_many(self, actor: Actor, commands: Sequence[Command]) -> list[Outcome[Any] | GuildCardError]:
        """Run ``commands`` in one transaction, each in its own savepoint: one fsync for all.

        A command that fails with a ``GuildCardError`` leaves nothing behind and gets its error in
        its place; the others commit. For bulk ingest (a POS uploading queued sales).
        """
        prepared: list[Callable[[Connection], tuple[Outcome[Any], Work | None]] | GuildCardError] = []
        for command in commands:
            try:
                registration, digest = self._prepare(actor, command)
            except GuildCardError as refused:
                prepared.append(refused)
                continue
            run = partial(self._run, registration=registration, actor=actor, alliance_id=actor.alliance_id,
                          command=command, digest=digest)  # fmt: skip
            prepared.append(run)
        runs = [run for run in prepared if not isinstance(run, GuildCardError)]

        def run_batch(conn: Connection) -> list[tuple[bool, Any]]:
            outcomes = in_savepoints(conn, runs)
            for ok, value in outcomes:
                if not ok and not isinstance(value, GuildCardError):
                    raise value  # a defect or a deadlock, not a refusal: nothing of the batch commits
            return outcomes

        outcomes = iter(committed(self.database, run_batch))
        results: list[Outcome[Any] | GuildCardError] = []
        works: list[Work | None] = []
        for item in prepared:
            if isinstance(item, GuildCardError):
                results.append(item)
                continue
            ok, value = next(outcomes)
            results.append(value[0] if ok else value)
            works.append(value[1] if ok else None)
        self._committed(actor.alliance_id, works)
        return results

    def _prepare(self, actor: Actor, command: Command) -> tuple[Registration, str]:
        """The command's handler and request fingerprint, once the actor is authorized."""
        registration = self._registration(command)
        if registration.authorize is not None:  # the context's check first: its own error codes
            registration.authorize(actor, command)
        if command.permission is not None:  # then the role's row of the one permission table
            permissions.require(actor, command.permission)
        digest = fingerprint(command.identity()) if command.idempotency_key is not None else ""
        return registration, digest

    def _registration(self, command: Command) -> Registration:
        registration = self._registrations.get(type(command))
        if registration is None:
            raise LookupError(f"no handler for {type(command).__qualname__}")
        return registration

    # --- one command in a transaction --------------------------------------------------------

    def _run(  # noqa: PLR0917 - one private step of execute
        self,
        conn: Connection,
        registration: Registration,
        actor: Actor,
        alliance_id: str,
        command: Command,
        digest: str,
    ) -> tuple[Outcome[Any], Work | None]:
        now = self.clock.now()
        context = registration.context
        work = Work(conn, actor, alliance_id, now, deps=self._deps.get(context), context=context)
        key, scope = command.idempotency_key, command.scope
        if registration.claim is not None:
            first = registration.claim(command, work)
            if first is not None:
                return Outcome(first, replayed=True), None
        elif key is not None:
            stored = idempotency.claim(
                conn, alliance_id=alliance_id, scope=scope, key=key, fingerprint=digest, now=work.now
            )
            if stored is not None:
                return Outcome(registration.decode(stored.get("result"), work), replayed=True), None
        value = registration.handle(command, work)
        for flush in work.before_commit:
            flush()
        lines = [
            audit_line(a.actor or actor, a.action, a.object_type, a.object_id, work.now, a.merchant_id,
                       a.store_id, dict(a.details) if a.details else None)
            for a in work.audits
        ]  # fmt: skip
        work.writes.insert(audit_log, lines)
        work.writes.insert(outbox_events, outbox.rows(alliance_id, work.events, at=work.now))
        if registration.claim is None and key is not None:
            idempotency.remember(
                conn, alliance_id=alliance_id, scope=scope, key=key,
                response={"result": registration.encode(value)},
            )  # fmt: skip
        work.writes.flush()
        return Outcome(value, replayed=work.replayed), work

    def _committed(self, alliance_id: str, works: list[Work | None]) -> None:
        """After commit: each command's own callbacks, then the subscribers hear the events."""
        done = [w for w in works if w is not None]
        for work in done:
            for callback in [*work.on_commit, *self._context_hooks.get(work.context, ())]:
                callback()
        events = [e for w in done for e in w.events]
        if events:
            self._publish(alliance_id, events)

    def _publish(self, alliance_id: str, events: list[Event]) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(alliance_id, events)
            except Exception:  # a subscriber must not undo a committed command
                log.exception("event subscriber failed", extra={"subscriber": repr(subscriber)})
