"""Proportional refunds.

A purchase settled ``payable`` fen: some in cash, some with points (``points_used``),
some with stored value (principal and bonus), and earned ``points_earned`` and ``growth``.
A refund of ``r`` fen reverses each of these in proportion ``r / payable``. To keep several
partial refunds exact, every share is computed *cumulatively*: after refunds totalling ``R``
the cumulative share of a quantity ``Q`` is ``floor(Q × R / payable)`` (and exactly ``Q``
once ``R == payable``); each refund takes the difference from the previous cumulative share.
Rounding therefore never drifts, and a full refund, in one step or many, reverses everything exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from guildcard.counter.domain.errors import InvalidAmount, RefundExceedsPaid


@dataclass(frozen=True)
class Settled:
    """What a purchase moved, as recorded at commit."""

    payable_fen: int  # bill after discount and coupon: cash + points value + stored value
    cash_fen: int
    points_used: int
    points_value_fen: int
    points_earned: int
    growth: int
    wallet_principal_fen: int = 0
    wallet_bonus_fen: int = 0


@dataclass(frozen=True)
class RefundShare:
    refund_fen: int
    cash_fen: int  # money back to the member
    points_value_fen: int  # the part of the refund that was paid with points
    wallet_principal_fen: int  # stored value given back, principal and bonus
    wallet_bonus_fen: int
    points_restored: int  # points given back to the member (with their original expiry)
    points_clawed_back: int  # earned points taken back
    growth_reversed: int
    final: bool  # the purchase is now fully refunded


def _cumulative(quantity: int, refunded: int, payable: int) -> int:
    return quantity if refunded >= payable else quantity * refunded // payable


def refund_share(settled: Settled, *, already_refunded_fen: int, refund_fen: int) -> RefundShare:
    """The share of ``settled`` that a refund of ``refund_fen`` reverses."""
    if refund_fen <= 0:
        raise InvalidAmount("A refund must be more than ¥0.00.", field="refund_fen")
    remaining = settled.payable_fen - already_refunded_fen
    if refund_fen > remaining:
        raise RefundExceedsPaid(refundable_fen=remaining, requested_fen=refund_fen)
    before, after = already_refunded_fen, already_refunded_fen + refund_fen

    def share(quantity: int) -> int:
        return _cumulative(quantity, after, settled.payable_fen) - _cumulative(
            quantity, before, settled.payable_fen
        )

    points_value = share(settled.points_value_fen)
    principal, bonus = share(settled.wallet_principal_fen), share(settled.wallet_bonus_fen)
    return RefundShare(
        refund_fen=refund_fen,
        cash_fen=refund_fen - points_value - principal - bonus,
        points_value_fen=points_value,
        wallet_principal_fen=principal,
        wallet_bonus_fen=bonus,
        points_restored=share(settled.points_used),
        points_clawed_back=share(settled.points_earned),
        growth_reversed=share(settled.growth),
        final=after == settled.payable_fen,
    )


class SettleAs(StrEnum):
    """How an approved refund of points the member already spent settles (issue 12 item 6)."""

    BELOW_ZERO = "below_zero"  # claw back all: the balance goes below zero, within the alliance's limit
    CASH_MINUS_POINTS = (
        "cash_minus_points"  # the member keeps the spent points; their value stays in the till
    )


def points_value_fen(points: int, *, points_per_yuan: int) -> int:
    """What ``points`` are worth in fen, rounded down (in the member's favour)."""
    return points * 100 // points_per_yuan


def keep_spent_points(
    share: RefundShare, *, available: int, points_per_yuan: int
) -> tuple[RefundShare, int, int]:
    """The share when the member keeps the earned points they cannot give back (``available`` is
    what their balance holds): fewer points clawed back, and their value withheld from the cash.
    Returns the share, the points kept and the cash withheld."""
    kept = max(0, share.points_clawed_back - max(available, 0))
    withheld = min(share.cash_fen, points_value_fen(kept, points_per_yuan=points_per_yuan))
    changed = replace(
        share, points_clawed_back=share.points_clawed_back - kept, cash_fen=share.cash_fen - withheld
    )
    return changed, kept, withheld
