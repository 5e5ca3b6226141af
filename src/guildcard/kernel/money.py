"""Money is integer fen. Never float.

``parse_yuan("12.34") == 1234`` and ``format_fen(1234) == "¥12.34"``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NewType

from guildcard.kernel.errors import InvalidInput

Fen = NewType("Fen", int)

FEN_PER_YUAN = 100


def fen(value: int) -> Fen:
    """The one constructor: refuses floats and bools, which hide rounding bugs."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"money must be an int number of fen, got {type(value).__name__}")
    return Fen(value)


class NotAnAmount(InvalidInput):
    """Not an amount of money: write it in yuan, e.g. 128 or 128.50."""

    code = "money.not_an_amount"


class TooManyDecimals(InvalidInput):
    """An amount has at most two decimals (fen)."""

    code = "money.too_many_decimals"


def parse_yuan(text: str, *, field: str = "amount") -> Fen:
    """Parse ``"12.34"`` / ``"¥12.34"`` / ``"12"`` into fen; at most two decimals.

    The errors carry a fixed message (translated on every page) and the text in ``details``.
    """
    cleaned = text.strip().removeprefix("¥").removeprefix("￥").replace(",", "").replace("，", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise NotAnAmount(field=field, text=text) from exc
    if not amount.is_finite():
        raise NotAnAmount(field=field, text=text)
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise TooManyDecimals(field=field, text=text)
    return Fen(int(amount * FEN_PER_YUAN))


def format_fen(amount: int) -> str:
    """``1234 -> "¥12.34"``, ``-5 -> "-¥0.05"``."""
    sign = "-" if amount < 0 else ""
    yuan, cents = divmod(abs(amount), FEN_PER_YUAN)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def apply_rate(amount: int, rate: Decimal) -> int:
    """``amount × rate`` rounded half-up to a whole number (fen or points)."""
    return int((Decimal(amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_rate_floor(amount: int, rate: Decimal) -> int:
    """``amount × rate`` rounded toward zero: used where the member must not gain a fraction."""
    return int(Decimal(amount) * rate)
