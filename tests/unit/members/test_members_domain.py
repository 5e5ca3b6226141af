"""The members domain without a database: member codes, code policy, duplicates, pseudonyms."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from guildcard.members.domain import member_code
from guildcard.members.domain.duplicates import likely_same_person, ordered_pair
from guildcard.members.domain.model import Profile, clean_profile
from guildcard.members.domain.otp import IssuedCode, OtpPolicy, check_resend, check_usable, new_code
from guildcard.members.domain.pseudonyms import customer_label, erased_label
from guildcard.members.errors import CodeExhausted, CodeExpired, InvalidProfile, ResendTooSoon

NOW = datetime(2026, 11, 23, 2, 0, 5, tzinfo=UTC)


KEY = b"k" * 32


def test_a_member_code_has_eighteen_digits_for_every_member_and_hides_the_card_number():
    secret = member_code.new_secret()
    codes = [member_code.show(n, secret, now=NOW, key=KEY).digits for n in (7, 42, 12345678, 10**12 - 1)]
    assert {len(c) for c in codes} == {18}
    assert not codes[1].startswith("42")
    assert "12345678" not in codes[2]
    shown = member_code.show(42, secret, now=NOW, key=KEY)
    assert shown.expires_in == 25
    parsed = member_code.parse(shown.digits)
    assert parsed is not None
    current = member_code.candidates(parsed, key=KEY, now=NOW)[0]
    assert (current.step, current.number) == (shown.step, 42)
    assert member_code.totp_matches(secret, current)


def test_the_masked_number_changes_every_step_and_needs_the_key():
    secret = member_code.new_secret()
    now, later = (
        member_code.show(42, secret, now=NOW, key=KEY),
        member_code.show(42, secret, now=NOW + timedelta(seconds=30), key=KEY),
    )
    assert now.digits[:12] != later.digits[:12]
    other_key = member_code.parse(now.digits)
    assert other_key is not None
    assert member_code.candidates(other_key, key=b"x" * 32, now=NOW)[0].number != 42


def test_masking_is_a_permutation_of_the_twelve_digit_numbers():
    for number in (0, 1, 999_999, 1_000_000, 10**12 - 1, 271_828_182_845):
        digits = member_code.mask(number, key=KEY, step=123)
        assert len(digits) == 12
        assert member_code.unmask(digits, key=KEY, step=123) == number
    assert len({member_code.mask(n, key=KEY, step=5) for n in range(2000)}) == 2000


def test_a_member_code_matches_within_one_step_of_drift_only():
    secret = member_code.new_secret()
    shown = member_code.show(7, secret, now=NOW, key=KEY)
    parsed = member_code.parse(shown.digits)
    assert parsed is not None

    def step_found(at):
        return [
            c.step
            for c in member_code.candidates(parsed, key=KEY, now=at)
            if c.number == 7 and member_code.totp_matches(secret, c)
        ]

    assert step_found(NOW + timedelta(seconds=30)) == [shown.step]
    assert step_found(NOW - timedelta(seconds=30)) == [shown.step]
    assert step_found(NOW + timedelta(seconds=60)) == []
    other = member_code.candidates(parsed, key=KEY, now=NOW)[0]
    assert not member_code.totp_matches(member_code.new_secret(), other)


@pytest.mark.parametrize(
    "text", ["", "123456", "0123456", "12a4567", "１２３４５６７", "1" * 17, "1" * 19, "12" + "3" * 16 + " x"]
)
def test_what_cannot_be_a_member_code(text):
    assert member_code.parse(text) is None


def test_a_new_code_waits_sixty_seconds_and_dies_after_five_misses_or_ten_minutes():
    policy = OtpPolicy()
    check_resend(None, now=NOW, policy=policy)
    with pytest.raises(ResendTooSoon) as refused:
        check_resend(NOW - timedelta(seconds=59, milliseconds=500), now=NOW, policy=policy)
    assert refused.value.details["retry_after"] == 1
    check_resend(NOW - timedelta(seconds=60), now=NOW, policy=policy)
    fresh = IssuedCode("otp_1", NOW, NOW + policy.ttl, attempts=0, consumed=False)
    check_usable(fresh, now=NOW, policy=policy)
    with pytest.raises(CodeExpired):
        check_usable(fresh, now=NOW + timedelta(minutes=10), policy=policy)
    with pytest.raises(CodeExhausted):
        check_usable(IssuedCode("otp_1", NOW, NOW + policy.ttl, 5, False), now=NOW, policy=policy)
    codes = {new_code() for _ in range(50)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 40


@pytest.mark.parametrize(
    ("a", "b", "flagged"),
    [
        ("张伟", "张伟", True),
        ("张伟", "张玮", True),  # a homophone typo
        ("Wang Fang", "wangfang", True),
        ("张伟", "李静", False),
        ("Christopher", "Christine", False),
    ],
)
def test_names_that_look_or_sound_like_one_person(a, b, flagged):
    assert (likely_same_person(a, b) is not None) is flagged


def test_a_pair_has_one_canonical_order():
    assert ordered_pair("mem_b", "mem_a") == ordered_pair("mem_a", "mem_b") == ("mem_a", "mem_b")


def test_pseudonyms_are_short_readable_and_stable():
    digest = "9f" * 32
    assert customer_label(digest) == customer_label(digest)
    assert customer_label(digest).startswith("会员 ")
    assert len(customer_label(digest).split()[1]) == 4
    assert not set(customer_label("0" * 64).split()[1]) & set("01IO")
    assert erased_label(digest).startswith("已注销会员 ")


def test_a_profile_is_trimmed_and_checked():
    today = date(2026, 11, 23)
    cleaned = clean_profile(Profile(display_name="  小明 ", region=" 北京 "), today=today)
    assert (cleaned.display_name, cleaned.region) == ("小明", "北京")
    for bad in (
        Profile(birthday=date(2027, 1, 1)),
        Profile(birthday=date(1899, 12, 31)),
        Profile(display_name=""),
    ):
        with pytest.raises(InvalidProfile):
            clean_profile(bad, today=today)
