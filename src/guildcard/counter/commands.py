"""What callers hand the counter service: plain frozen values, validated by the domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from guildcard.counter.domain.amounts import CategoryLine

R = TypeVar("R")


@dataclass(frozen=True)
class MemberIdentity:
    """How the member is identified at the counter: a scanned code, or a consented phone."""

    member_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class PurchaseInput:
    store_id: str
    order_no: str
    amount_fen: int
    member: MemberIdentity
    points_to_use: int | None = 0  # None: as many as allowed (preview only)
    lines: tuple[CategoryLine, ...] = ()
    preview_token: str | None = None
    coupon_id: str | None = None  # one of the member's coupons
    wallet_fen: int = 0  # stored value to pay with
    items: int | None = None  # optional item count (for insights' items per order); never priced

    def identity(self) -> dict[str, Any]:
        """What makes two commits the same purchase (the order's idempotency fingerprint).

        The member code is left out: it rotates, and a retry may carry a fresh one. A coupon
        and stored value count only when used, so fingerprints of plain purchases never change.
        """
        out: dict[str, Any] = {
            "store_id": self.store_id,
            "order_no": self.order_no,
            "amount_fen": self.amount_fen,
            "points_to_use": self.points_to_use,
            "lines": [(line.category, line.amount_fen) for line in self.lines],
        }
        if self.coupon_id:
            out["coupon_id"] = self.coupon_id
        if self.wallet_fen:
            out["wallet_fen"] = self.wallet_fen
        if self.items is not None:
            out["items"] = self.items
        return out


@dataclass(frozen=True)
class RefundInput:
    store_id: str
    order_no: str
    refund_no: str
    amount_fen: int


@dataclass(frozen=True)
class BackfillInput:
    store_id: str
    receipt_no: str
    purchased_at: datetime
    amount_fen: int
    member: MemberIdentity
    lines: tuple[CategoryLine, ...] = ()


@dataclass(frozen=True)
class AdjustmentInput:
    member_id: str
    points: int  # positive: grant; negative: take back
    reason: str


@dataclass(frozen=True)
class Written(Generic[R]):
    """A write's typed receipt and whether it replays an earlier request."""

    receipt: R
    replayed: bool = False
