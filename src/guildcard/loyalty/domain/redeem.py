"""Paying part of a bill with points: how many points may pay, and for how much.

Points and fen change hands only in whole steps in which both are integers: at
``redeem_points_per_yuan`` = P, one step is 100/gcd(100, P) fen for P/gcd(100, P)
points (100 points = ¥1: 1 point per fen; 1000 points = ¥1: 10 points per fen;
50 points = ¥1: 1 point per 2 fen). So no fraction of a point ever pays, and the
merchant is never short a fraction of a fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

from guildcard.kernel.money import apply_rate_floor, format_fen
from guildcard.kernel.points import fen_to_points, points_to_fen
from guildcard.loyalty.domain.errors import SettingsInvalid
from guildcard.loyalty.domain.settings import LoyaltySettings


@dataclass(frozen=True, slots=True)
class RedeemReason:
    code: str  # minimum_order_not_met, max_share, balance, step, nothing_to_pay
    label_zh: str
    label_en: str


@dataclass(frozen=True, slots=True)
class RedeemQuote:
    bill_fen: int
    requested_points: int | None  # None: "as many as allowed"
    points: int  # points that pay
    fen: int  # what they pay
    max_points: int  # the most points this bill and balance allow
    reasons: tuple[RedeemReason, ...]  # why the request was reduced or refused

    @property
    def cash_fen(self) -> int:
        return self.bill_fen - self.fen

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


def redeem_step(points_per_yuan: int) -> tuple[int, int]:
    """The smallest exchange in which fen and points are both whole: (fen, points)."""
    common = gcd(100, points_per_yuan)
    return 100 // common, points_per_yuan // common


def redeem_quote(
    bill_fen: int, balance_points: int, requested_points: int | None, settings: LoyaltySettings
) -> RedeemQuote:
    if bill_fen < 0 or balance_points < 0 or (requested_points is not None and requested_points < 0):
        raise SettingsInvalid("bill, balance and requested points cannot be negative")
    ppy = settings.redeem_points_per_yuan
    if bill_fen < settings.min_order_for_redeem_fen:
        minimum = format_fen(settings.min_order_for_redeem_fen)
        reason = RedeemReason(
            "minimum_order_not_met",
            f"订单满 {minimum} 才可使用积分抵扣",
            f"points pay only on bills of {minimum} or more",
        )
        return RedeemQuote(bill_fen, requested_points, 0, 0, 0, (reason,))
    step_fen, step_points = redeem_step(ppy)
    share_fen = apply_rate_floor(bill_fen, settings.max_redeem_share)
    # The most whole steps the bill's share and the balance allow.
    max_steps = min(share_fen // step_fen, balance_points // step_points)
    max_points = max_steps * step_points
    wanted = max_points if requested_points is None else requested_points
    steps = min(max_steps, wanted // step_points)
    fen = steps * step_fen
    used = fen_to_points(fen, points_per_yuan=ppy)
    assert points_to_fen(used, points_per_yuan=ppy) == fen, "steps exchange exactly"
    reasons = _reasons(
        bill_fen=bill_fen,
        balance=balance_points,
        wanted=wanted,
        used=used,
        share_fen=share_fen,
        step_fen=step_fen,
        step_points=step_points,
        settings=settings,
    )
    return RedeemQuote(bill_fen, requested_points, used, fen, max_points, reasons)


def _reasons(
    *,
    bill_fen: int,
    balance: int,
    wanted: int,
    used: int,
    share_fen: int,
    step_fen: int,
    step_points: int,
    settings: LoyaltySettings,
) -> tuple[RedeemReason, ...]:
    """Why fewer points pay than were asked for (nothing when the request was met)."""
    if used >= wanted:
        return ()
    ppy = settings.redeem_points_per_yuan
    share_points = (share_fen // step_fen) * step_points
    reasons = []
    if wanted > share_points:
        percent = f"{settings.max_redeem_share * 100:.0f}%"
        cap = format_fen(share_fen)
        reasons.append(
            RedeemReason(
                "max_share",
                f"积分最多抵扣账单的 {percent}（{cap}）",
                f"points pay at most {percent} of the bill ({cap})",
            )
        )
    if wanted > balance:
        reasons.append(
            RedeemReason("balance", f"积分余额仅 {balance} 积分", f"the balance is only {balance} points")
        )
    if not reasons:
        reasons.append(
            RedeemReason(
                "step",
                f"积分按 {step_points} 积分抵 {format_fen(step_fen)} 整数抵扣（{ppy} 积分抵 ¥1）",
                f"points pay in steps of {step_points} = {format_fen(step_fen)} ({ppy} points = ¥1)",
            )
        )
    if used == 0 and bill_fen == 0:
        reasons.append(RedeemReason("nothing_to_pay", "账单金额为零", "the bill is zero"))
    return tuple(reasons)
