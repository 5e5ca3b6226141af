"""Rate limits (``limits``): in memory for one process, Redis when several share the limits."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from guildcard.kernel.errors import RateLimited


class Throttle:
    """``throttle.hit("5/minute", "otp-verify", phone_hash)`` raises ``RateLimited`` past the limit."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def hit(self, limit: str, *keys: str, error: type[RateLimited] = RateLimited) -> None:
        """Count one attempt against ``limit`` for ``keys``; past it raise ``error``."""
        item = parse(limit)
        if not self._limiter.hit(item, *keys):
            reset_at, _remaining = self._limiter.get_window_stats(item, *keys)
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise error(retry_after=retry_after, limit=limit)

    def clear(self, limit: str, *keys: str) -> None:
        self._limiter.clear(parse(limit), *keys)
