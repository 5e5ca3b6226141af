"""One-time codes sent by SMS: the policy and the checks, as pure functions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from guildcard.members.errors import CodeExhausted, CodeExpired, ResendTooSoon

CODE_DIGITS = 6


class OtpPurpose(StrEnum):
    REGISTER = "register"
    LOGIN = "login"


@dataclass(frozen=True)
class OtpPolicy:
    ttl: timedelta = timedelta(minutes=10)
    resend_after: timedelta = timedelta(seconds=60)
    max_attempts: int = 5  # wrong guesses per code, then the code is dead
    per_phone_per_day: int = 10
    # Per client address (``limits`` notation), for asking for codes and for signing in.
    per_ip_requests: str = "20/hour"
    per_ip_sign_ins: str = "60/hour"


@dataclass(frozen=True)
class IssuedCode:
    """A stored code: only a keyed hash of the digits is kept."""

    otp_id: str
    created_at: datetime
    expires_at: datetime
    attempts: int
    consumed: bool


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def check_resend(last_sent_at: datetime | None, *, now: datetime, policy: OtpPolicy) -> None:
    """Refuse a new code while the last one is younger than ``resend_after``."""
    if last_sent_at is None:
        return
    wait = last_sent_at + policy.resend_after - now
    if wait > timedelta(0):
        raise ResendTooSoon(retry_after=max(1, int(wait.total_seconds() + 0.999)))


def check_usable(code: IssuedCode, *, now: datetime, policy: OtpPolicy) -> None:
    """Raise unless ``code`` may still be tried."""
    if code.attempts >= policy.max_attempts:
        raise CodeExhausted()
    if code.expires_at <= now:
        raise CodeExpired()
