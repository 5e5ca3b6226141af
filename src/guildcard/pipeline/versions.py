"""Versioned configuration: caches that every worker process keeps current.

Settings, terms, rules and campaigns change rarely and are read by every command. A
process may keep a copy, but only while it is current: every change calls ``bump`` in its
own transaction, and a command reads the alliance's versions (one indexed row look-up per
command, memoized in its unit of work) before it trusts a cached copy. A change made in
one worker process is therefore seen by the next command in every other process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.db.tables import config_versions as table

T = TypeVar("T")


class Topic(StrEnum):
    """What a version covers: the commands that change it bump it, the caches that read it check it."""

    LEDGER = "ledger"  # expiry and negative-balance policies
    LOYALTY = "loyalty"  # loyalty settings, merchants' earn rules, campaigns
    TERMS = "terms"  # contracts, merchant status, stores opened and closed
    SETTLEMENT = "settlement"  # issuance limits
    REWARDS = "rewards"  # reward campaigns, referral settings and bindings
    MEMBER_TERMS = "member_terms"  # the membership terms and privacy notice members agree to


_MEMO_KEY = "config_versions"


def bump(conn: Connection, alliance_id: str, topic: str) -> None:
    """Mark ``topic`` of ``alliance_id`` changed (inside the transaction that changes it)."""
    changed = conn.execute(
        update(table)
        .where(table.c.alliance_id == alliance_id, table.c.topic == topic)
        .values(version=table.c.version + 1)
    )
    if changed.rowcount == 0:
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            insert(table)
            .values(alliance_id=alliance_id, topic=topic, version=1)
            .on_conflict_do_update(
                index_elements=[table.c.alliance_id, table.c.topic], set_={"version": table.c.version + 1}
            )
        )


def current(conn: Connection, alliance_id: str, memo: dict[str, object] | None = None) -> dict[str, int]:
    """Every topic's version for the alliance (read once per command when ``memo`` is given)."""
    key = f"{_MEMO_KEY}:{alliance_id}"
    if memo is not None and key in memo:
        return memo[key]  # type: ignore[return-value]
    rows = conn.execute(
        select(table.c.topic, table.c.version).where(table.c.alliance_id == alliance_id)
    ).all()
    versions = {r.topic: int(r.version) for r in rows}
    if memo is not None:
        memo[key] = versions
    return versions


class VersionedCache(Generic[T]):
    """A per-process copy of one topic per alliance, reloaded when its version moved."""

    def __init__(self, topic: str, load: Callable[[Connection, str], T]) -> None:
        self.topic = topic
        self._load = load
        self._copies: dict[str, tuple[int, T]] = {}
        self._lock = threading.Lock()
        self.loads = 0  # how often the loader ran (tests, benchmarks)

    def get(self, conn: Connection, alliance_id: str, memo: dict[str, object] | None = None) -> T:
        version = current(conn, alliance_id, memo).get(self.topic, 0)
        copy = self._copies.get(alliance_id)
        if copy is not None and copy[0] == version:
            return copy[1]
        value = self._load(conn, alliance_id)
        with self._lock:
            self._copies[alliance_id] = (version, value)
            self.loads += 1
        return value
