"""Paid member cards (付费会员卡): plans, validity (renewal extends it), activation codes (卡密).

A plan grants a tier while the card is valid (or none: extra benefits on top of the growth
tier, described in its text). Buying again before the end extends from the end; after it,
from now. Codes are one use each, voidable, and expire. Pure values and functions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from guildcard.loyalty.domain.errors import CardInvalid

# Codes read aloud or typed from a printed card: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
MAX_BATCH = 10_000  # codes in one batch (paid cards and stored-value top-ups)


class Period(StrEnum):
    DAYS = "days"
    MONTH = "month"  # 30 days
    QUARTER = "quarter"  # 91 days
    YEAR = "year"  # 365 days


_DAYS = {Period.MONTH: 30, Period.QUARTER: 91, Period.YEAR: 365}


@dataclass(frozen=True, slots=True)
class CardPlan:
    plan_id: str
    name: str
    price_fen: int
    period: Period = Period.YEAR
    days: int = 0  # with ``Period.DAYS``
    tier_code: str | None = None  # the tier it grants while valid
    benefits_text: str = ""
    active: bool = True

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise CardInvalid("a plan needs a name")
        if self.price_fen < 0:
            raise CardInvalid("a plan's price is not negative")
        if self.period is Period.DAYS and self.days < 1:
            raise CardInvalid("a plan lasts at least one day")

    @property
    def duration(self) -> timedelta:
        return timedelta(days=self.days if self.period is Period.DAYS else _DAYS[self.period])


def valid_until(plan: CardPlan, *, current_end: datetime | None, now: datetime) -> datetime:
    """Renewal extends: from the current end while the card is valid, else from now."""
    start = current_end if current_end is not None and current_end > now else now
    return start + plan.duration


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalized(code: str) -> str:
    """What the member typed, as stored: upper case, without spaces or dashes."""
    return code.strip().upper().replace("-", "").replace(" ", "")
