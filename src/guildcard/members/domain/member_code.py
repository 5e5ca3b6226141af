"""The member code (会员码): 18 digits, the member's number masked for this time step, then a TOTP.

The first 12 digits are the member's number through a keyed permutation of the 12-digit
numbers (a Feistel network keyed by the alliance-independent code key and the time step), so
the code has one length for every member, changes every step, and reveals nothing about the
card number; the server unmasks it with the same key. The last 6 digits are a TOTP of the
member's own secret for that step: proof the member's app made the code within the step, so a
screenshot soon stops working. The digits are the same in the QR code, so a wedge scanner
types them followed by Enter.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import pyotp

STEP_SECONDS = 30
TOTP_DIGITS = 6
NUMBER_DIGITS = 12
CODE_DIGITS = NUMBER_DIGITS + TOTP_DIGITS  # every code has this length
DRIFT_STEPS = 1  # one step of clock drift either way
MAX_NUMBER = 999_999_999_999  # 12 digits
_HALF = 1_000_000  # a Feistel half: 6 of the 12 digits
_ROUNDS = 8


@dataclass(frozen=True)
class ParsedCode:
    masked: str  # the masked number (12 digits)
    totp: str


@dataclass(frozen=True)
class Candidate:
    """What a code means if it was made in ``step``."""

    step: int
    number: int
    totp: str


@dataclass(frozen=True)
class ShownCode:
    digits: str
    step: int
    expires_in: int  # seconds until this step ends


def new_secret() -> str:
    return pyotp.random_base32()


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=STEP_SECONDS)


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def _f(key: bytes, step: int, round_no: int, half: int) -> int:
    digest = hmac.new(key, f"{step}:{round_no}:{half}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % _HALF


def mask(number: int, *, key: bytes, step: int) -> str:
    """The 12 digits that stand for ``number`` in ``step`` (a permutation of 0…10¹²-1)."""
    if not 0 <= number <= MAX_NUMBER:
        raise ValueError("a member number has at most 12 digits")
    left, right = divmod(number, _HALF)
    for round_no in range(_ROUNDS):
        left, right = right, (left + _f(key, step, round_no, right)) % _HALF
    return f"{left * _HALF + right:0{NUMBER_DIGITS}d}"


def unmask(digits: str, *, key: bytes, step: int) -> int:
    left, right = divmod(int(digits), _HALF)
    for round_no in reversed(range(_ROUNDS)):
        left, right = (right - _f(key, step, round_no, left)) % _HALF, left
    return left * _HALF + right


def show(number: int, secret: str, *, now: datetime, key: bytes) -> ShownCode:
    step = step_of(now)
    digits = mask(number, key=key, step=step) + _totp(secret).generate_otp(step)
    expires_in = (step + 1) * STEP_SECONDS - int(now.timestamp())
    return ShownCode(digits=digits, step=step, expires_in=expires_in)


def parse(code: str) -> ParsedCode | None:
    """Split typed or scanned digits; None when they cannot be a member code."""
    digits = code.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) != CODE_DIGITS:
        return None
    return ParsedCode(masked=digits[:NUMBER_DIGITS], totp=digits[NUMBER_DIGITS:])


def candidates(parsed: ParsedCode, *, key: bytes, now: datetime) -> list[Candidate]:
    """The member number the code stands for in each step within the drift, current step first."""
    current = step_of(now)
    out = []
    for step in (current, current - DRIFT_STEPS, current + DRIFT_STEPS):
        number = unmask(parsed.masked, key=key, step=step)
        if number > 0:
            out.append(Candidate(step, number, parsed.totp))
    return out


def totp_matches(secret: str, candidate: Candidate) -> bool:
    """The TOTP part is the member's for the candidate's step (compared in constant time)."""
    return pyotp.utils.strings_equal(_totp(secret).generate_otp(candidate.step), candidate.totp)
