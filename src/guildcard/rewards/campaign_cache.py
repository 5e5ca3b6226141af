"""Which alliances have purchase-triggered rewards (campaigns, referrals) running, per process.

The purchase listener asks before running a command per purchase, so an alliance without
such campaigns pays nothing at the counter. An entry lives ``TTL`` seconds (other processes'
changes show within that); a change in this process forgets every entry at once.
"""

from __future__ import annotations

import threading
import time

TTL = 5.0
_entries: dict[str, tuple[float, bool]] = {}
_lock = threading.Lock()


def get(key: str) -> bool | None:
    """``key``: what is watched and the alliance, e.g. ``purchases:al_...``."""
    with _lock:
        found = _entries.get(key)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def put(key: str, running: bool) -> None:
    with _lock:
        _entries[key] = (time.monotonic() + TTL, running)


def forget() -> None:
    with _lock:
        _entries.clear()
