"""Validation of what a cashier or a POS submits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from guildcard.counter.domain.errors import InvalidAmount, InvalidCategoryLines

# ¥1,000,000: above this a bill is a typo (or an attack) rather than a purchase.
MAX_BILL_FEN = 100_000_000


@dataclass(frozen=True)
class CategoryLine:
    category: str
    amount_fen: int


def check_bill(amount_fen: int, *, limit_fen: int = MAX_BILL_FEN) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise InvalidAmount(field="amount_fen")
    if amount_fen <= 0:
        raise InvalidAmount("The amount must be more than ¥0.00.", field="amount_fen")
    if amount_fen > limit_fen:
        raise InvalidAmount(f"The amount exceeds the counter limit of {limit_fen} fen.", field="amount_fen")
    return amount_fen


def check_category_lines(lines: Sequence[CategoryLine], *, bill_fen: int) -> tuple[CategoryLine, ...]:
    """Lines may cover part of the bill (the rest earns at the base rate), never more."""
    if any(line.amount_fen <= 0 or not line.category for line in lines):
        raise InvalidCategoryLines(field="lines")
    if sum(line.amount_fen for line in lines) > bill_fen:
        raise InvalidCategoryLines("The category lines add up to more than the bill.", field="lines")
    return tuple(lines)
