import os
import uuid

import pytest
import redis

from guildcard.kernel.errors import RateLimited
from guildcard.throttle import Throttle


class TooManyCodes(RateLimited):
    """Too many codes requested."""

    code = "members.too_many_codes"


def test_the_limit_is_enforced_per_key_and_says_when_to_retry():
    throttle = Throttle()
    for _ in range(3):
        throttle.hit("3/minute", "otp", "phone-a")
    with pytest.raises(TooManyCodes) as caught:
        throttle.hit("3/minute", "otp", "phone-a", error=TooManyCodes)
    assert caught.value.code == "members.too_many_codes"
    assert 1 <= caught.value.details["retry_after"] <= 60
    throttle.hit("3/minute", "otp", "phone-b")  # another key is unaffected


def test_workers_sharing_redis_share_one_limit():
    """Two processes' throttles on one Redis: the limit holds across them (memory would double it)."""
    url = os.environ.get("GUILDCARD_TEST_REDIS", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {url}")
    first, second = Throttle(url), Throttle(url)
    key = uuid.uuid4().hex
    for throttle in (first, second, first):
        throttle.hit("3/minute", "otp-ip", key)
    with pytest.raises(RateLimited):
        second.hit("3/minute", "otp-ip", key)
    memory_a, memory_b = Throttle(), Throttle()
    for throttle in (memory_a, memory_b, memory_a, memory_b):
        throttle.hit("3/minute", "otp-ip", key)  # what --workers 2 did: each counts alone
