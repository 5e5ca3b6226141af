"""What other contexts contribute to a counter price: tier benefits, coupons, stored value.

Plain values exchanged through the counter's ports (``TierDesk``, ``CouponDesk``,
``WalletDesk`` in ``counter/ports.py``). The loyalty context owns tiers and wallets, rewards
owns coupons; until their adapters are wired the null values below apply (no tier, no
coupon, an empty wallet), so the counter behaves exactly as without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ONE = Decimal(1)


@dataclass(frozen=True)
class TierBenefits:
    """The member's tier as it applies at this merchant now."""

    tier_code: str | None = None
    tier_name: str | None = None
    points_multiplier: Decimal = ONE  # the earn rules' tier multiplier
    # 0.9 = 10 % off at this merchant; None: the contract's member discount applies.
    discount_rate: Decimal | None = None


NO_TIER = TierBenefits()


@dataclass(frozen=True)
class TierChange:
    """A tier change a purchase or a refund caused, for the receipt."""

    from_tier: str | None
    to_tier: str | None
    to_name: str | None
    reason: str  # purchase, refund


@dataclass(frozen=True)
class CouponOffer:
    """One of the member's coupons as judged for this bill; ``reason`` says why it can't be used."""

    coupon_id: str
    title: str
    discount_fen: int  # what it takes off this bill (0 when not usable)
    usable: bool
    reason: str | None = None  # a stable code, e.g. rewards.coupon_below_threshold
    stacks_with_points: bool = True


@dataclass(frozen=True)
class AppliedCoupon:
    coupon_id: str
    title: str
    discount_fen: int


@dataclass(frozen=True)
class WalletBalance:
    """Stored value (储值): the principal paid in and the bonus given on top."""

    principal_fen: int = 0
    bonus_fen: int = 0

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.bonus_fen


NO_WALLET = WalletBalance()


@dataclass(frozen=True)
class WalletSplit:
    """How a wallet payment divides into principal and bonus (the alliance's order), and how
    much of it earns points (the alliance's setting: principal only, all, or none)."""

    principal_fen: int = 0
    bonus_fen: int = 0
    earning_fen: int = 0

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.bonus_fen


NO_WALLET_PAYMENT = WalletSplit()
