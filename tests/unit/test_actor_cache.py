"""Resolved credentials are reused for a few seconds at most, and forgotten at once on demand."""

from __future__ import annotations

from guildcard.auth.cache import ActorCache
from guildcard.kernel.actors import Actor, ActorKind

CASHIER = Actor(ActorKind.STAFF, "stf_1", "all_1", role="cashier", merchant_id="mer_1")


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_credential_is_reused_until_its_time_runs_out():
    ticks = Ticks()
    cache = ActorCache(5.0, clock=ticks)
    cache.put("all_1.secret", CASHIER)
    ticks.now += 4.9
    assert cache.get("all_1.secret") == CASHIER
    assert cache.get("all_1.other") is None
    ticks.now += 0.2  # a revocation made in another process is seen within five seconds
    assert cache.get("all_1.secret") is None


def test_clearing_forgets_every_credential_and_no_secret_is_kept_as_such():
    cache = ActorCache()
    cache.put("all_1.secret", CASHIER)
    assert all("secret" not in key for key in cache._entries)
    cache.clear()
    assert cache.get("all_1.secret") is None
