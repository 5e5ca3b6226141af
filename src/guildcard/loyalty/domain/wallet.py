"""Stored value (储值): top-up packages, the principal and bonus parts, and how a payment draws.

Every top-up is a lot (the collecting merchant, principal and bonus, what is left of each).
A payment takes principal and bonus in the alliance's order (principal first by default) from
the oldest lots first; a refund gives back its share of both parts to the lots it drew from.
A member's refund of a top-up's unused principal pays what is left of the principal less the
bonus of that top-up already used, and forfeits the bonus left. Pure functions; integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from guildcard.loyalty.domain.errors import WalletInvalid


class SpendOrder(StrEnum):
    PRINCIPAL_FIRST = "principal_first"
    BONUS_FIRST = "bonus_first"


class EarnOnWallet(StrEnum):
    """Whether points are earned on the part of a bill the wallet paid."""

    PRINCIPAL = "principal"  # on the principal part, not the bonus
    ALL = "all"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class WalletSettings:
    spend_order: SpendOrder = SpendOrder.PRINCIPAL_FIRST
    earn_on: EarnOnWallet = EarnOnWallet.PRINCIPAL


@dataclass(frozen=True, slots=True)
class TopUpPackage:
    package_id: str
    name: str
    pay_fen: int  # what the member pays
    bonus_fen: int = 0  # what the alliance adds (pay ¥500, get ¥50)
    active: bool = True

    def __post_init__(self) -> None:
        if self.pay_fen <= 0 or self.bonus_fen < 0:
            raise WalletInvalid("a package pays a positive amount and a bonus that is not negative")
        if not self.name.strip():
            raise WalletInvalid("a package needs a name")


@dataclass(frozen=True, slots=True)
class WalletBalance:
    principal: int
    bonus: int

    @property
    def total(self) -> int:
        return self.principal + self.bonus


@dataclass(frozen=True, slots=True)
class Lot:
    lot_id: str
    principal_left: int
    bonus_left: int


@dataclass(frozen=True, slots=True)
class Draw:
    lot_id: str
    principal: int
    bonus: int


def split(balance: WalletBalance, amount_fen: int, order: SpendOrder) -> tuple[int, int]:
    """(principal, bonus) that pay ``amount_fen`` (at most the balance) in the alliance's order."""
    amount = max(min(amount_fen, balance.total), 0)
    if order is SpendOrder.PRINCIPAL_FIRST:
        principal = min(amount, balance.principal)
        return principal, amount - principal
    bonus = min(amount, balance.bonus)
    return amount - bonus, bonus


def plan_draws(lots: list[Lot], principal: int, bonus: int) -> list[Draw]:
    """Take ``principal`` and ``bonus`` from ``lots`` (oldest first); raises when they do not cover it."""
    draws: list[Draw] = []
    need_p, need_b = principal, bonus
    for lot in lots:
        take_p, take_b = min(need_p, lot.principal_left), min(need_b, lot.bonus_left)
        if take_p or take_b:
            draws.append(Draw(lot.lot_id, take_p, take_b))
            need_p, need_b = need_p - take_p, need_b - take_b
    if need_p or need_b:
        raise WalletInvalid("the wallet does not hold that much", principal=principal, bonus=bonus)
    return draws


def proportional(paid: tuple[int, int], *, refund_fen: int, payable_fen: int) -> tuple[int, int]:
    """The (principal, bonus) a refund of ``refund_fen`` of a ``payable_fen`` bill gives back,
    rounded down, the principal first so that rounding never favours the bonus."""
    if payable_fen <= 0:
        return 0, 0
    principal, bonus = paid
    total = principal + bonus
    back = min(total * refund_fen // payable_fen, total)
    back_p = min(principal * refund_fen // payable_fen, principal)
    return back_p, min(back - back_p, bonus)


def unused_principal(*, principal: int, bonus: int, principal_left: int, bonus_left: int) -> tuple[int, int]:
    """(paid back, bonus forfeited) when a member asks for a top-up's unused principal back."""
    bonus_used = bonus - bonus_left
    return max(principal_left - bonus_used, 0), bonus_left
