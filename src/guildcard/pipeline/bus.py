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

Serialization failures and deadlocks are retried here, and nowhere else. A batchable
command may share its transaction with concurrent ones (``GroupCommitter``).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from guildcard.audit.log import record
from guildcard.db import idempotency
from guildcard.db.engine import Database
from guildcard.db.uow import SqlUnitOfWork, is_retryable
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.fingerprint import fingerprint
from guildcard.pipeline import outbox
from guildcard.pipeline.commands import Command, Outcome
from guildcard.pipeline.group import GroupCommitter
from guildcard.pipeline.registry import Handlers, Registration
from guildcard.pipeline.work import Event, Work

R = TypeVar("R")
log = logging.getLogger(__name__)

Subscriber = Callable[[str, list[Event]], None]
ATTEMPTS = 5


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

    def subscribe(self, subscriber: Subscriber) -> None:
        """Called after each commit with the alliance and the command's events (never raises out)."""
        self._subscribers.append(subscriber)

    def execute(self, actor: Actor, command: Command, *, alliance_id: str | None = None) -> Outcome[Any]:
        registration = self._registration(command)
        if registration.authorize is not None:
            registration.authorize(actor, command)
        tenant = alliance_id or actor.alliance_id
        digest = fingerprint(command.identity()) if command.idempotency_key is not None else ""

        def run_in(conn: Connection) -> tuple[Outcome[Any], list[Event]]:
            return self._run(conn, registration, actor, tenant, command, digest)

        if registration.batchable and self.committer is not None:
            outcome, events = self.committer.submit(run_in)
        else:
            outcome, events = self._alone(run_in)
        if events:
            self._publish(tenant, events)
        return outcome

    def execute_many(self, actor: Actor, commands: Sequence[Command]) -> list[Outcome[Any] | GuildCardError]:
        """Run ``commands`` in one transaction, each in its own savepoint: one fsync for all.

        A command that fails with a ``GuildCardError`` leaves nothing behind and gets its error in
        its place; the others commit. For bulk ingest (a POS uploading queued sales).
        """
        prepared = [self._prepare(actor, command) for command in commands]

        def run_all(conn: Connection) -> list[tuple[Outcome[Any], list[Event]] | GuildCardError]:
            done: list[tuple[Outcome[Any], list[Event]] | GuildCardError] = []
            for item in prepared:
                if isinstance(item, GuildCardError):
                    done.append(item)
                    continue
                registration, command, digest = item
                savepoint = conn.begin_nested()
                try:
                    done.append(self._run(conn, registration, actor, actor.alliance_id, command, digest))
                except GuildCardError as error:
                    savepoint.rollback()
                    done.append(error)
                else:
                    savepoint.commit()
            return done

        results = self._alone(run_all)
        events = [e for r in results if not isinstance(r, GuildCardError) for e in r[1]]
        if events:
            self._publish(actor.alliance_id, events)
        return [r if isinstance(r, GuildCardError) else r[0] for r in results]

    def _prepare(self, actor: Actor, command: Command) -> tuple[Registration, Command, str] | GuildCardError:
        registration = self._registration(command)
        try:
            if registration.authorize is not None:
                registration.authorize(actor, command)
        except GuildCardError as error:
            return error
        digest = fingerprint(command.identity()) if command.idempotency_key is not None else ""
        return registration, command, digest

    def _registration(self, command: Command) -> Registration:
        registration = self._registrations.get(type(command))
        if registration is None:
            raise LookupError(f"no handler for {type(command).__qualname__}")
        return registration

    # --- one attempt ----------------------------------------------------------------------

    def _alone(self, run_in: Callable[[Connection], R]) -> R:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with SqlUnitOfWork(self.database) as uow:
                    result = run_in(uow.connection)
                    uow.commit()
                    return result
            except DBAPIError as exc:
                if attempt == ATTEMPTS or not is_retryable(exc):
                    raise
                time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - jitter, not crypto
        raise AssertionError("unreachable")

    def _run(  # noqa: PLR0917 - one private step of execute
        self,
        conn: Connection,
        registration: Registration,
        actor: Actor,
        alliance_id: str,
        command: Command,
        digest: str,
    ) -> tuple[Outcome[Any], list[Event]]:
        now = self.clock.now()
        work = Work(conn, actor, alliance_id, now, deps=self._deps.get(registration.context))
        key, scope = command.idempotency_key, command.scope
        if registration.claim is not None:
            first = registration.claim(command, work)
            if first is not None:
                return Outcome(first, replayed=True), []
        elif key is not None:
            stored = idempotency.claim(
                conn, alliance_id=alliance_id, scope=scope, key=key, fingerprint=digest, now=work.now
            )
            if stored is not None:
                return Outcome(registration.decode(stored.get("result"), work), replayed=True), []
        value = registration.handle(command, work)
        for line in work.audits:
            record(
                conn, actor=line.actor or actor, action=line.action, object_type=line.object_type,
                object_id=line.object_id, merchant_id=line.merchant_id, store_id=line.store_id,
                details=dict(line.details) if line.details else None, at=work.now,
            )  # fmt: skip
        outbox.append(conn, alliance_id, work.events, at=work.now)
        if registration.claim is None and key is not None:
            idempotency.remember(
                conn, alliance_id=alliance_id, scope=scope, key=key,
                response={"result": registration.encode(value)},
            )  # fmt: skip
        return Outcome(value, replayed=work.replayed), work.events

    def _publish(self, alliance_id: str, events: list[Event]) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(alliance_id, events)
            except Exception:  # a subscriber must not undo a committed command
                log.exception("event subscriber failed", extra={"subscriber": repr(subscriber)})
