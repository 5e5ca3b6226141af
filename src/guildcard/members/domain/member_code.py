"""The member code (会员码): the member's number followed by a TOTP of their own secret.

The number lets the server find the member without a scan; the TOTP proves the code was
made by the member's app within the last step, so a screenshot soon stops working. The
digits are the same in the QR code, so a wedge scanner types them followed by Enter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyotp

STEP_SECONDS = 30
TOTP_DIGITS = 6
DRIFT_STEPS = 1  # one step of clock drift either way
MAX_CODE_LEN = 18


@dataclass(frozen=True)
class ParsedCode:
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


def show(number: int, secret: str, *, now: datetime, latest_used: int | None = None) -> ShownCode:
    """The code to show now. Once this step's code was used (``latest_used``), the next step's
    code is shown at once: the counter accepts it within the drift, so the member never holds
    a used code on screen."""
    step = step_of(now)
    if latest_used is not None and latest_used >= step:
        step = min(latest_used + 1, step + DRIFT_STEPS)
    digits = f"{number}{_totp(secret).generate_otp(step)}"
    # A code of a step ahead is accepted until the step after it ends: show it that long.
    expires_in = (step + 1) * STEP_SECONDS - int(now.timestamp())
    return ShownCode(digits=digits, step=step, expires_in=expires_in)


def parse(code: str) -> ParsedCode | None:
    """Split typed or scanned digits; None when they cannot be a member code."""
    digits = code.strip()
    if not digits.isascii() or not digits.isdigit() or not TOTP_DIGITS < len(digits) <= MAX_CODE_LEN:
        return None
    number = int(digits[:-TOTP_DIGITS])
    return ParsedCode(number=number, totp=digits[-TOTP_DIGITS:]) if number > 0 else None


def matching_step(secret: str, totp: str, *, now: datetime) -> int | None:
    """The time step whose code is ``totp``, within the allowed drift; None if none."""
    generator = _totp(secret)
    current = step_of(now)
    for step in (current, current - DRIFT_STEPS, current + DRIFT_STEPS):
        if pyotp.utils.strings_equal(generator.generate_otp(step), totp):
            return step
    return None
