"""Pricing a purchase at the counter, in one documented order of stages.

1. ``bill``: what the cashier enters (fen).
2. Discount, for members only: the tier's rate at this merchant when it has one, else the
   contract's member discount; ``after_discount = bill × rate`` rounded half-up to the fen.
3. Coupon: at most one, its discount capped at what is left (``CouponOffer.discount_fen``).
   ``payable = after_discount - coupon``: what the member pays by any means (refunds share it).
4. Points pay part of ``payable`` (``loyalty.domain.redeem.redeem_quote``: points value,
   maximum share, minimum order, whole steps); none when the coupon does not stack with points.
5. Stored value (储值) pays part of what is left, split into principal and bonus by the
   wallet's owner (``WalletSplit``).
6. ``cash = payable - points value - wallet``. Points are earned and growth accrues on the cash
   part plus the part of the wallet payment that earns (the alliance's setting). Category lines
   are scaled to that base (each ``line × base / bill``, rounded down).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guildcard.counter.domain.amounts import CategoryLine
from guildcard.counter.domain.errors import (
    CouponExcludesPoints,
    PointsExceedBalance,
    PointsExceedCap,
    PointsNotWholeStep,
    WalletExceedsBalance,
    WalletExceedsBill,
)
from guildcard.counter.domain.stages import (
    NO_TIER,
    NO_WALLET_PAYMENT,
    CouponOffer,
    TierBenefits,
    WalletSplit,
)
from guildcard.kernel.money import apply_rate, format_fen
from guildcard.loyalty.domain.redeem import RedeemQuote, redeem_quote
from guildcard.loyalty.domain.settings import LoyaltySettings

ONE = Decimal(1)


@dataclass(frozen=True)
class PriceLine:
    kind: str  # bill, member_discount, tier_discount, coupon, points, wallet, cash
    label_zh: str
    label_en: str
    amount_fen: int  # signed: reductions are negative


@dataclass(frozen=True, kw_only=True)
class Pricing:
    bill_fen: int
    discount_fen: int  # tier or member discount
    coupon: CouponOffer | None = None
    coupon_fen: int = 0
    payable_fen: int  # after discount and coupon: cash + points value + wallet
    redeem: RedeemQuote
    wallet: WalletSplit = NO_WALLET_PAYMENT
    lines: tuple[PriceLine, ...]
    balance_points: int
    balance_wallet_fen: int = 0

    @property
    def points_used(self) -> int:
        return self.redeem.points

    @property
    def points_value_fen(self) -> int:
        return self.redeem.fen

    @property
    def wallet_fen(self) -> int:
        return self.wallet.total_fen

    @property
    def cash_fen(self) -> int:
        return self.payable_fen - self.redeem.fen - self.wallet.total_fen

    @property
    def earn_base_fen(self) -> int:
        """What points are earned on: the cash part and the wallet part that earns."""
        return self.cash_fen + min(self.wallet.earning_fen, self.wallet.total_fen)


def member_discount_fen(bill_fen: int, rate: Decimal, *, is_member: bool) -> int:
    if not is_member or rate >= ONE:
        return 0
    return bill_fen - apply_rate(bill_fen, max(rate, Decimal(0)))


def _percent_off(rate: Decimal) -> str:
    return f"{((ONE - rate) * 100).normalize():f}%"


def discount_stage(
    bill_fen: int, *, member_discount: Decimal, tier: TierBenefits, is_member: bool
) -> tuple[int, PriceLine | None]:
    """Stage 2: the tier's rate replaces the contract's member discount when it has one."""
    if tier.discount_rate is not None:
        rate, kind = tier.discount_rate, "tier_discount"
        zh, en = f"{tier.tier_name or '等级'}折扣 {_percent_off(rate)}", f"tier discount {_percent_off(rate)}"
    else:
        rate, kind = member_discount, "member_discount"
        zh, en = f"会员折扣 {_percent_off(rate)}", f"member discount {_percent_off(rate)}"
    discount = member_discount_fen(bill_fen, rate, is_member=is_member)
    return discount, (PriceLine(kind, zh, en, -discount) if discount else None)


def price(
    bill_fen: int,
    *,
    member_discount: Decimal,
    is_member: bool,
    balance_points: int,
    requested_points: int | None,
    settings: LoyaltySettings,
    tier: TierBenefits = NO_TIER,
    coupon: CouponOffer | None = None,
    wallet: WalletSplit = NO_WALLET_PAYMENT,
    balance_wallet_fen: int = 0,
) -> Pricing:
    """The price of a bill; ``requested_points`` None means "as many as allowed", 0 none.

    ``coupon`` is a usable offer already judged for this bill; ``wallet`` the split of the
    stored value to use (``wallet_stage`` caps it at what is left after points).
    """
    discount, discount_line = discount_stage(
        bill_fen, member_discount=member_discount, tier=tier, is_member=is_member
    )
    after_discount = bill_fen - discount
    coupon_fen = min(coupon.discount_fen, after_discount) if coupon and coupon.usable else 0
    payable = after_discount - coupon_fen
    points_allowed = coupon is None or coupon.stacks_with_points
    quote = redeem_quote(payable, max(balance_points, 0) if points_allowed else 0, requested_points, settings)
    lines = [PriceLine("bill", "消费金额", "bill", bill_fen)]
    if discount_line:
        lines.append(discount_line)
    if coupon_fen and coupon:
        lines.append(PriceLine("coupon", f"优惠券 {coupon.title}", f"coupon {coupon.title}", -coupon_fen))
    if quote.fen:
        lines.append(
            PriceLine("points", f"{quote.points} 积分抵扣", f"{quote.points} points pay", -quote.fen)
        )
    if wallet.total_fen:
        lines.append(PriceLine("wallet", "储值支付", "stored value pays", -wallet.total_fen))
    cash = payable - quote.fen - wallet.total_fen
    lines.append(PriceLine("cash", f"应付现金 {format_fen(cash)}", f"cash to pay {format_fen(cash)}", cash))
    return Pricing(
        bill_fen=bill_fen, discount_fen=discount, coupon=coupon if coupon_fen else None,
        coupon_fen=coupon_fen, payable_fen=payable, redeem=quote, wallet=wallet, lines=tuple(lines),
        balance_points=max(balance_points, 0), balance_wallet_fen=max(balance_wallet_fen, 0),
    )  # fmt: skip


def wallet_room(pricing: Pricing) -> int:
    """What stored value may pay of this bill: what is left after coupon and points."""
    return pricing.payable_fen - pricing.points_value_fen


def require_wallet_allowed(pricing: Pricing, requested_fen: int, *, balance_fen: int) -> None:
    """At commit, a wallet amount beyond the balance or the bill is refused, never cut."""
    if requested_fen > balance_fen:
        raise WalletExceedsBalance(None, requested_fen=requested_fen, balance_fen=balance_fen)
    if requested_fen > wallet_room(pricing):
        raise WalletExceedsBill(None, requested_fen=requested_fen, allowed_fen=wallet_room(pricing))


def require_coupon_stacking(coupon: CouponOffer | None, requested_points: int) -> None:
    if coupon is not None and not coupon.stacks_with_points and requested_points > 0:
        raise CouponExcludesPoints(None, coupon_id=coupon.coupon_id)


def require_points_allowed(pricing: Pricing, requested_points: int) -> None:
    """At commit, a request the quote had to cut is refused rather than silently reduced."""
    quote = pricing.redeem
    if requested_points <= quote.points:
        return
    details: dict[str, object] = {
        "requested": requested_points,
        "allowed": quote.points,
        "max_points": quote.max_points,
    }
    if requested_points > pricing.balance_points:
        raise PointsExceedBalance(None, balance=pricing.balance_points, **details)
    if set(quote.codes) & {"max_share", "minimum_order_not_met", "nothing_to_pay"}:
        raise PointsExceedCap(None, **details)
    raise PointsNotWholeStep(None, **details)


def cash_lines(lines: tuple[CategoryLine, ...], *, bill_fen: int, cash_fen: int) -> tuple[CategoryLine, ...]:
    """Category lines scaled to the earning base (rounded down, so they never exceed it)."""
    if bill_fen <= 0:
        return ()
    scaled = (CategoryLine(line.category, line.amount_fen * cash_fen // bill_fen) for line in lines)
    return tuple(line for line in scaled if line.amount_fen > 0)
