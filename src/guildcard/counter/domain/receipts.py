"""What the counter answers: typed, frozen receipts. Serialized only at the edges.

Times are aware UTC datetimes here; pages show them in Asia/Shanghai, the API as ISO 8601.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from guildcard.counter.domain.pricing import PriceLine
from guildcard.counter.domain.stages import CouponOffer, TierChange
from guildcard.loyalty.domain.earn import EarnLine
from guildcard.loyalty.domain.redeem import RedeemReason


@dataclass(frozen=True)
class MemberShown:
    """The member as the merchant may see them (masked or pseudonymous)."""

    display: str
    is_member: bool = True
    tier_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class PurchaseFigures:
    """The numbers of one purchase: what a preview shows and a receipt keeps."""

    order_no: str
    source: str  # counter, backfill
    merchant_id: str
    merchant_name: str
    store_id: str
    member: MemberShown
    bill_fen: int
    discount_fen: int
    payable_fen: int
    points_used: int
    points_value_fen: int
    cash_fen: int
    points_earned: int
    points_pending_until: datetime | None  # None: available at once (or nothing earned)
    growth: int
    price_lines: tuple[PriceLine, ...]
    earn_lines: tuple[EarnLine, ...]
    occurred_at: datetime
    coupon_id: str | None = None
    coupon_title: str | None = None
    coupon_fen: int = 0
    wallet_principal_fen: int = 0  # stored value paid: principal and bonus parts
    wallet_bonus_fen: int = 0

    @property
    def wallet_fen(self) -> int:
        return self.wallet_principal_fen + self.wallet_bonus_fen


@dataclass(frozen=True, kw_only=True)
class PurchaseReceipt(PurchaseFigures):
    purchase_id: str
    status: str  # committed, partially_refunded, refunded
    recorded_at: datetime
    refunded_fen: int = 0
    tier_change: TierChange | None = None


@dataclass(frozen=True)
class RedeemOffer:
    """How many points may pay, for how much, and why not more."""

    points: int
    fen: int
    max_points: int
    reasons: tuple[RedeemReason, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PurchasePreview(PurchaseFigures):
    balance: int
    redeem: RedeemOffer
    preview_token: str  # the commit refuses if the numbers moved since
    coupons: tuple[CouponOffer, ...] = ()  # the member's coupons judged for this bill, best first
    wallet_principal_balance_fen: int = 0
    wallet_bonus_balance_fen: int = 0


@dataclass(frozen=True)
class RefundReceipt:
    refund_id: str
    refund_no: str
    order_no: str
    purchase_id: str
    amount_fen: int
    cash_fen: int
    points_value_fen: int
    points_restored: int
    points_clawed_back: int
    growth_reversed: int
    points_to_breakage: int
    refunded_fen: int
    refundable_fen: int
    purchase_status: str
    recorded_at: datetime
    entries: Mapping[str, str] = field(default_factory=dict)  # spend/award/growth -> reversing entry
    wallet_principal_fen: int = 0  # stored value given back
    wallet_bonus_fen: int = 0
    coupon_returned: bool = False
    tier_change: TierChange | None = None
    # Refunded as "the cash minus the spent points' value": points the member keeps, cash withheld.
    points_kept: int = 0
    cash_withheld_fen: int = 0


@dataclass(frozen=True)
class RefundRequestReceipt:
    """A refund of spent points waiting for (or decided by) the owner or a manager."""

    request_id: str
    status: str  # pending, approved, rejected
    store_id: str
    order_no: str
    refund_no: str
    amount_fen: int
    shortfall_points: int  # the points the member lacks for the clawback (积分不足 N 分)
    requested_by: str
    requested_at: datetime
    below_zero_allowed: bool  # the alliance lets the balance go below zero (within its limit)
    cash_option_fen: int | None  # the cash withheld when refunding the cash minus the points' value
    settle_as: str | None = None  # below_zero | cash_minus_points, once approved
    refund: RefundReceipt | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None


@dataclass(frozen=True)
class BackfillReceipt:
    backfill_id: str
    status: str  # approved, needs_approval, rejected
    store_id: str
    receipt_no: str
    amount_fen: int
    purchased_at: datetime
    purchase: PurchaseReceipt | None
    decided_at: datetime | None
    decision_note: str | None


@dataclass(frozen=True)
class AdjustmentReceipt:
    entry_id: str
    member_id: str
    points: int
    reason: str
    actor_id: str
