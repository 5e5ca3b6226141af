"""Points and growth value are integers.

The alliance sets what points are worth: ``points_per_yuan`` points pay one yuan
(e.g. 100 points = ¥1). Conversions round so that the member never pays with a
fraction of a point and the merchant is never short a fraction of a fen.
"""

from __future__ import annotations

from typing import NewType

Points = NewType("Points", int)
Growth = NewType("Growth", int)


def points(value: int) -> Points:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"points must be an int, got {type(value).__name__}")
    return Points(value)


def points_to_fen(amount: int, *, points_per_yuan: int) -> int:
    """What ``amount`` points pay, in whole fen, rounded down."""
    return amount * 100 // points_per_yuan


def fen_to_points(amount_fen: int, *, points_per_yuan: int) -> int:
    """Points needed to pay ``amount_fen``, rounded up (never pay with a fraction)."""
    return -(-amount_fen * points_per_yuan // 100)
