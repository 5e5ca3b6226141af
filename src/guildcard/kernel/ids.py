"""Sortable, opaque identifiers.

An id is ``{prefix}_{ulid}``: 48 bits of milliseconds and 80 random bits in
Crockford base32 (26 characters). Ids sort by creation time, say what they name,
and reveal no counts (never bare sequential integers in URLs).
"""

from __future__ import annotations

import os
import re
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID_LEN = 26
_ID_RE = re.compile(r"^[a-z]{2,8}_[0-9A-HJKMNP-TV-Z]{26}$")
_RANDOM_BITS = 80


class _MonotonicUlid:
    """Within one millisecond, increments the random part so ids stay ordered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_rand = 0

    def next(self, ms: int | None = None) -> str:
        now_ms = int(time.time() * 1000) if ms is None else ms
        with self._lock:
            if now_ms <= self._last_ms:
                now_ms = self._last_ms
                rand = self._last_rand + 1
            else:
                rand = int.from_bytes(os.urandom(10), "big") >> 1  # headroom to increment
            self._last_ms, self._last_rand = now_ms, rand
        value = (now_ms << _RANDOM_BITS) | (rand & ((1 << _RANDOM_BITS) - 1))
        return _encode(value)


def _encode(value: int) -> str:
    chars = []
    for _ in range(_ULID_LEN):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


_generator = _MonotonicUlid()


def new_id(prefix: str) -> str:
    """A new id such as ``mer_01JD3F…``; ``prefix`` is 2-8 lowercase letters."""
    if not re.fullmatch(r"[a-z]{2,8}", prefix):
        raise ValueError(f"bad id prefix {prefix!r}")
    return f"{prefix}_{_generator.next()}"


def is_id(value: str, prefix: str | None = None) -> bool:
    """Whether ``value`` looks like an id (of ``prefix``, when given)."""
    if not _ID_RE.match(value):
        return False
    return prefix is None or value.startswith(prefix + "_")
