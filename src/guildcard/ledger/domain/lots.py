"""Lots: each award of points is a lot; spending draws lots soonest expiry first, then oldest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from guildcard.ledger.domain.errors import InsufficientPoints

# Far future stand-in so that "never expires" sorts last (compared naive, all times are UTC).
_NEVER = datetime.max  # noqa: DTZ901


class LotState(StrEnum):
    PENDING = "pending"  # awarded, not yet available (released by a job or voided)
    ACTIVE = "active"
    VOIDED = "voided"


@dataclass(frozen=True)
class Lot:
    id: str
    member_id: str
    issuer: str
    amount: int
    remaining: int
    available_at: datetime
    expires_at: datetime | None
    state: LotState = LotState.ACTIVE


@dataclass(frozen=True)
class Draw:
    """``amount`` points drawn from (or, negative, restored to) ``lot_id``."""

    lot_id: str
    amount: int


def consumption_order(lot: Lot) -> tuple[datetime, datetime, str]:
    expires = lot.expires_at.replace(tzinfo=None) if lot.expires_at else _NEVER
    return (expires, lot.available_at.replace(tzinfo=None), lot.id)


def plan_draws(lots: list[Lot], amount: int) -> list[Draw]:
    """Which lots pay ``amount``: soonest expiry first, then oldest. Refuses a shortfall."""
    draws: list[Draw] = []
    left = amount
    for lot in sorted((lot for lot in lots if lot.remaining > 0), key=consumption_order):
        if left == 0:
            break
        take = min(lot.remaining, left)
        draws.append(Draw(lot.id, take))
        left -= take
    if left:
        raise InsufficientPoints(needed=amount, available=amount - left)
    return draws


def plan_restores(drawn: list[Draw], amount: int) -> list[Draw]:
    """Which lots get ``amount`` back when a spend is reversed: the last drawn first.

    ``drawn`` is the net amount still drawn per lot, in the order the spend drew them.
    The first lots drawn expire soonest, so the member gets back the longest-lived points last.
    """
    restores: list[Draw] = []
    left = amount
    for draw in reversed(drawn):
        if left == 0:
            break
        give = min(draw.amount, left)
        if give > 0:
            restores.append(Draw(draw.lot_id, give))
            left -= give
    if left:
        raise ValueError(f"cannot restore {amount}: only {amount - left} still drawn")
    return restores
