"""Contract terms and member sales as settlement sees them; breakage and limit modes.

The alliance context owns contracts and the counter owns purchases; settlement receives them
through its ports (``settlement/ports.py``) as these values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True)
class SettlementTerms:
    """The economics of one merchant's contract version, in force from ``effective_from``.

    Prices are ``Decimal`` fen per point (a fraction of a fen is allowed); totals are
    rounded once per statement line.
    """

    version: str
    issue_price: Decimal  # fen the merchant pays per point it awards
    reimbursement: Decimal  # fen the merchant receives per point spent at it
    commission_rate: Decimal  # share of member sales, e.g. Decimal("0.02")
    redemption_fee: int  # fen per redemption at the merchant
    entry_fee: int  # fen, charged once for this contract version
    effective_from: datetime

    def __post_init__(self) -> None:
        for name in ("issue_price", "reimbursement", "commission_rate"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise ValueError(f"{name} must be a finite Decimal >= 0, got {value!r}")
        for name in ("redemption_fee", "entry_fee"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int number of fen >= 0, got {value!r}")


@dataclass(frozen=True)
class MerchantRef:
    id: str
    name: str


@dataclass(frozen=True)
class MemberSale:
    """A member's purchase (or a refund of one, negative) at a merchant: the base of commission."""

    id: str
    merchant_id: str
    amount: int  # fen
    occurred_at: datetime
    recorded_at: datetime


class BreakageMode(StrEnum):
    """Who keeps the value of expired merchant-issued points."""

    PLATFORM = "platform"
    ISSUERS_PRO_RATA = "issuers_pro_rata"


class LimitMode(StrEnum):
    PREPAID = "prepaid"
    CREDIT = "credit"
