"""Pricing a purchase at the counter: bill -> member discount -> payable -> points -> cash.

1. ``bill``: what the cashier enters (fen).
2. Member discount from the contract in force, for members only:
   ``payable = bill × member_discount`` rounded half-up to the fen; ``discount = bill - payable``.
3. Points pay part of ``payable`` (``loyalty.domain.redeem.redeem_quote``: points value,
   maximum share, minimum order, whole steps).
4. ``cash = payable - points value``: points are earned and growth accrues on the cash part.
   Category lines are scaled to the cash part (each ``line × cash / bill``, rounded down).

``lines`` carry a ``kind`` so coupons and tier discounts can slot in between 2 and 3 later.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guildcard.counter.domain.amounts import CategoryLine
from guildcard.counter.domain.errors import PointsExceedBalance, PointsExceedCap, PointsNotWholeStep
from guildcard.kernel.money import apply_rate, format_fen
from guildcard.loyalty.domain.redeem import RedeemQuote, redeem_quote
from guildcard.loyalty.domain.settings import LoyaltySettings

ONE = Decimal(1)


@dataclass(frozen=True)
class PriceLine:
    kind: str  # bill, member_discount, points, cash (later: coupon, tier_discount)
    label_zh: str
    label_en: str
    amount_fen: int  # signed: reductions are negative


@dataclass(frozen=True)
class Pricing:
    bill_fen: int
    discount_fen: int
    payable_fen: int
    redeem: RedeemQuote
    lines: tuple[PriceLine, ...]
    balance_points: int

    @property
    def points_used(self) -> int:
        return self.redeem.points

    @property
    def points_value_fen(self) -> int:
        return self.redeem.fen

    @property
    def cash_fen(self) -> int:
        return self.payable_fen - self.redeem.fen


def member_discount_fen(bill_fen: int, rate: Decimal, *, is_member: bool) -> int:
    if not is_member or rate >= ONE:
        return 0
    return bill_fen - apply_rate(bill_fen, max(rate, Decimal(0)))


def price(
    bill_fen: int,
    *,
    member_discount: Decimal,
    is_member: bool,
    balance_points: int,
    requested_points: int | None,
    settings: LoyaltySettings,
) -> Pricing:
    """The price of a bill; ``requested_points`` None means "as many as allowed", 0 none."""
    discount = member_discount_fen(bill_fen, member_discount, is_member=is_member)
    payable = bill_fen - discount
    quote = redeem_quote(payable, max(balance_points, 0), requested_points, settings)
    lines = [PriceLine("bill", "消费金额", "bill", bill_fen)]
    if discount:
        percent = f"{(ONE - member_discount) * 100:.4g}%"
        lines.append(
            PriceLine("member_discount", f"会员折扣 {percent}", f"member discount {percent}", -discount)
        )
    if quote.fen:
        lines.append(
            PriceLine("points", f"{quote.points} 积分抵扣", f"{quote.points} points pay", -quote.fen)
        )
    cash = payable - quote.fen
    lines.append(PriceLine("cash", f"应付现金 {format_fen(cash)}", f"cash to pay {format_fen(cash)}", cash))
    return Pricing(bill_fen, discount, payable, quote, tuple(lines), max(balance_points, 0))


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
    """Category lines scaled to the cash part (rounded down, so they never exceed it)."""
    if bill_fen <= 0:
        return ()
    scaled = (CategoryLine(line.category, line.amount_fen * cash_fen // bill_fen) for line in lines)
    return tuple(line for line in scaled if line.amount_fen > 0)
