"""Group commit: concurrent commits share one transaction, each in its own savepoint.

A commit waits on the disk (fsync) far longer than it computes. ``GroupCommitter`` lets
requests that arrive together share that wait: one thread gathers what is queued (up to
``max_batch``, waiting at most ``max_wait`` for company), runs each unit of work inside a
SAVEPOINT of one transaction, and commits once. A failing request rolls back only its
savepoint and gets its own error; the others commit. Each keeps its own idempotency (its
natural key is claimed inside its savepoint). If the shared COMMIT itself fails, every
request of the batch runs again alone.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from guildcard.db.engine import Database
from guildcard.db.uow import SqlUnitOfWork, committed

T = TypeVar("T")


@dataclass
class _Job:
    work: Callable[[Connection], Any]
    future: Future[Any] = field(default_factory=Future)


class GroupCommitter:
    def __init__(
        self, database: Database, *, max_batch: int = 32, max_wait: float = 0.002, threads: int = 1
    ) -> None:
        self.database = database
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._run, name=f"group-commit-{i}", daemon=True) for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()
        self.batches = 0
        self.committed = 0

    def submit(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in the next group; returns its result or raises its error once committed."""
        job = _Job(work)
        self._queue.put(job)
        result: T = job.future.result()
        return result

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    def _gather(self, first: _Job) -> list[_Job]:
        jobs = [first]
        try:
            while len(jobs) < self.max_batch:
                nxt = self._queue.get(timeout=self.max_wait) if len(jobs) == 1 else self._queue.get_nowait()
                if nxt is None:
                    self._queue.put(None)
                    break
                jobs.append(nxt)
        except queue.Empty:
            pass
        return jobs

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs = self._gather(first)
            try:
                outcomes = self._batch(jobs)
            except DBAPIError:
                outcomes = None
            if outcomes is None:  # the shared commit failed: each request alone
                for job in jobs:
                    self._alone(job)
                continue
            for job, (ok, value) in zip(jobs, outcomes, strict=True):
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)

    def _batch(self, jobs: list[_Job]) -> list[tuple[bool, Any]]:
        with SqlUnitOfWork(self.database) as uow:
            outcomes = in_savepoints(uow.connection, [job.work for job in jobs])
            uow.commit()
        self.batches += 1
        self.committed += sum(1 for ok, _ in outcomes if ok)
        return outcomes

    def _alone(self, job: _Job) -> None:
        try:
            job.future.set_result(committed(self.database, job.work))
        except Exception as exc:  # handed to the caller
            job.future.set_exception(exc)


def in_savepoints(conn: Connection, works: Sequence[Callable[[Connection], Any]]) -> list[tuple[bool, Any]]:
    """Run each of ``works`` in its own savepoint of ``conn``'s transaction: (True, its value), or
    (False, its exception) with everything it wrote rolled back; the others are unaffected."""
    outcomes: list[tuple[bool, Any]] = []
    for work in works:
        savepoint = conn.begin_nested()
        try:
            value = work(conn)
        except Exception as exc:  # handed to the caller, not swallowed
            savepoint.rollback()
            outcomes.append((False, exc))
        else:
            savepoint.commit()
            outcomes.append((True, value))
    return outcomes
