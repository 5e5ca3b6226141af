"""Stores and contract terms served from a per-process copy kept current by the "terms" version.

Opening and closing stores, suspending merchants and signing contracts bump the alliance's
``terms`` version in their own transaction (``pipeline/versions.py``). A merchant directory that
says so (``VersionedMerchants``: the real adapter does, the tests' in-memory fake does not) is
read once per store and per merchant for each version; a command then checks the version with the
one configuration read it makes anyway. A copy filled from reads newer than its version is only
ever replaced (the next command sees the newer version), never trusted past a change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Connection

from guildcard.counter.ports import CounterTerms, MerchantDirectory, StoreRef
from guildcard.pipeline.versions import Topic, VersionedCache


class TermsSchedule(Protocol):
    def at(self, moment: datetime) -> CounterTerms:
        """The terms in force at ``moment``; raises the alliance's ``NoContract`` before the first."""
        ...


@runtime_checkable
class VersionedMerchants(Protocol):
    """A merchant directory whose answers change only with the alliance's ``terms`` version."""

    def terms_schedule(self, conn: Connection, alliance_id: str, merchant_id: str) -> TermsSchedule: ...


class TermsCopy:
    """What one process knows of one alliance's stores and contracts at one ``terms`` version."""

    def __init__(self) -> None:
        self.stores: dict[str, StoreRef] = {}
        self.schedules: dict[str, TermsSchedule] = {}


def terms_cache() -> VersionedCache[TermsCopy]:
    return VersionedCache(Topic.TERMS, lambda _conn, _alliance_id: TermsCopy())


class CachedMerchants:
    """The merchant directory as one command sees it (``memo``: its unit of work's memo)."""

    def __init__(
        self, inner: MerchantDirectory, cache: VersionedCache[TermsCopy], memo: dict[str, Any]
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._memo = memo

    def store(self, conn: Connection, alliance_id: str, store_id: str) -> StoreRef:
        copy = self._cache.get(conn, alliance_id, self._memo)
        found = copy.stores.get(store_id)
        if found is None:  # an unknown or closed store raises and is not remembered
            found = copy.stores[store_id] = self._inner.store(conn, alliance_id, store_id)
        return found

    def terms_in_force(
        self, conn: Connection, alliance_id: str, merchant_id: str, at: datetime
    ) -> CounterTerms:
        copy = self._cache.get(conn, alliance_id, self._memo)
        schedule = copy.schedules.get(merchant_id)
        if schedule is None:
            assert isinstance(self._inner, VersionedMerchants)
            schedule = self._inner.terms_schedule(conn, alliance_id, merchant_id)
            copy.schedules[merchant_id] = schedule
        return schedule.at(at)

    def require_active(self, store: StoreRef) -> None:
        self._inner.require_active(store)


def merchants_for(
    inner: MerchantDirectory, cache: VersionedCache[TermsCopy], memo: dict[str, Any] | None
) -> MerchantDirectory:
    """The cached directory inside a command, when ``inner`` is versioned; else ``inner`` itself."""
    if memo is None or not isinstance(inner, VersionedMerchants):
        return inner
    return CachedMerchants(inner, cache, memo)
