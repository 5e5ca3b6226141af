"""Unit of work: one transaction per command, and only the unit of work commits."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from guildcard.db.engine import Database
from guildcard.kernel.errors import CommitOutcomeUnknown

T = TypeVar("T")

# PostgreSQL SQLSTATEs worth retrying the whole transaction for.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


class SqlUnitOfWork:
    """Opens a write transaction on enter; ``commit()`` ends it; leaving without commit rolls back.

    Contexts subclass it and build their repositories from ``self.connection``.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._connection: Connection | None = None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("unit of work used outside 'with'")
        return self._connection

    def __enter__(self) -> Self:
        conn = self.database.engine.connect()
        if self.database.is_sqlite:
            conn.execution_options(sqlite_begin="IMMEDIATE")
        conn.begin()
        self._connection = conn
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.connection
        try:
            if conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()
            self._connection = None

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:  # the server dropped us (restart, pg_terminate_backend)
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate in _RETRYABLE_SQLSTATES:
            return True
        if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
            return True
    return False


def committed(database: Database, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in one write transaction and commit it, again after a serialization failure,
    a deadlock or a dropped connection (the whole unit of work, on a fresh connection)."""

    def attempt() -> T:
        with SqlUnitOfWork(database) as uow:
            result = work(uow.connection)
            try:
                uow.commit()
            except DBAPIError as exc:
                if exc.connection_invalidated:  # not retried here: the client retries with its key
                    raise CommitOutcomeUnknown(retry_after=1) from exc
                raise
            return result

    return retrying(attempt)


def retrying(work: Callable[[], T], *, attempts: int = 5) -> T:
    """Run ``work`` (a whole unit of work) again after a serialization failure or deadlock."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - jitter, not crypto
    raise AssertionError("unreachable")
