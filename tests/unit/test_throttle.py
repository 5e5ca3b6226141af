import pytest

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
