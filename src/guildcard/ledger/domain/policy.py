"""Alliance policies: when points expire, and how far a clawback may take a balance below zero."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from guildcard.kernel.clock import business_date, end_of_business_day
from guildcard.kernel.errors import InvalidInput


class ExpiryKind(StrEnum):
    ROLLING = "rolling"  # N days after the award (to the end of that business day)
    CALENDAR = "calendar"  # end of year Y+N for points earned in year Y ("1年制/2年制")
    NEVER = "never"


@dataclass(frozen=True)
class ExpiryPolicy:
    kind: ExpiryKind
    period: int = 0  # days for ROLLING, years for CALENDAR

    def __post_init__(self) -> None:
        if self.kind is not ExpiryKind.NEVER and self.period <= 0:
            raise InvalidInput("an expiry period must be positive", field="expiry")

    def expires_at(self, awarded_at: datetime) -> datetime | None:
        return _EXPIRY_RULES[self.kind](business_date(awarded_at), self.period)

    @classmethod
    def rolling(cls, days: int) -> ExpiryPolicy:
        return cls(ExpiryKind.ROLLING, days)

    @classmethod
    def calendar(cls, years: int) -> ExpiryPolicy:
        return cls(ExpiryKind.CALENDAR, years)

    @classmethod
    def never(cls) -> ExpiryPolicy:
        return cls(ExpiryKind.NEVER)


def _rolling(day: date, days: int) -> datetime | None:
    return end_of_business_day(day + timedelta(days=days))


def _calendar(day: date, years: int) -> datetime | None:
    return end_of_business_day(date(day.year + years, 12, 31))


def _never(day: date, period: int) -> datetime | None:
    return None


_EXPIRY_RULES: dict[ExpiryKind, Callable[[date, int], datetime | None]] = {
    ExpiryKind.ROLLING: _rolling,
    ExpiryKind.CALENDAR: _calendar,
    ExpiryKind.NEVER: _never,
}


class NegativeMode(StrEnum):
    BLOCK = "block"
    ALLOW = "allow_negative"


@dataclass(frozen=True)
class NegativePolicy:
    """``block``: a clawback may not take points below zero; ``allow_negative``: down to -limit."""

    mode: NegativeMode = NegativeMode.BLOCK
    limit: int = 0

    def __post_init__(self) -> None:
        if self.limit < 0 or (self.mode is NegativeMode.BLOCK and self.limit):
            raise InvalidInput("a negative limit is a non-negative number, zero when blocking")

    @property
    def floor(self) -> int:
        """The lowest balance a member's points may reach."""
        return -self.limit if self.mode is NegativeMode.ALLOW else 0

    @classmethod
    def allow_negative(cls, limit: int) -> NegativePolicy:
        return cls(NegativeMode.ALLOW, limit)


@dataclass(frozen=True)
class LedgerSettings:
    alliance_id: str
    expiry: ExpiryPolicy
    negative: NegativePolicy
    public_key: str  # hex, Ed25519
