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


def get(alliance_id: str) -> bool | None:
    with _lock:
        found = _entries.get(alliance_id)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def put(alliance_id: str, running: bool) -> None:
    with _lock:
        _entries[alliance_id] = (time.monotonic() + TTL, running)


def forget() -> None:
    with _lock:
        _entries.clear()
