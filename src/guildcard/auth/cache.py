"""Resolved credentials, kept a few seconds per process: authentication off the hot path.

A counter request would otherwise read its token, its staff member and their stores before
any work. A credential resolved here is reused for ``ttl`` seconds at most, so a revocation
(a sign-out, a revoked POS key, a disabled account, a changed role) takes effect within that
time in every process, and at once in the process that made it: the composition root clears
this cache after every alliance or members command.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from guildcard.kernel.actors import Actor

TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000


class ActorCache:
    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        size: int = MAX_ENTRIES,
    ) -> None:
        self.ttl, self._clock, self._size = ttl, clock, size
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(credential: str) -> str:
        return hashlib.sha256(credential.encode()).hexdigest()  # no secret kept in memory as such

    def get(self, credential: str) -> Actor | None:
        found = self._entries.get(self._key(credential))
        if found is None or found[0] <= self._clock():
            return None
        return found[1]

    def put(self, credential: str, actor: Actor) -> None:
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()  # rare: a burst of distinct credentials; start over
            self._entries[self._key(credential)] = (self._clock() + self.ttl, actor)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
