"""Round axis ticks for the server-drawn charts: 0 up to a "nice" top (1, 2, 2.5 or 5 × 10ⁿ steps)
at or above the largest value, so a chart's scale reads like a hand-drawn one."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_ticks(values: Iterable[float | int | Decimal | None], *, count: int = 4) -> list[float]:
    """About ``count`` equal steps from 0 to a round top covering every value (``[0, 1]`` for none)."""
    known = [float(v) for v in values if v is not None]
    top = max(known, default=0.0)
    if top <= 0:
        return [0.0, 1.0]
    whole = all(float(v).is_integer() for v in known)
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in _STEPS if s * magnitude >= raw)
    if whole:
        step = max(1.0, math.ceil(step))
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return [float(int(t)) if whole else t for t in ticks]


def unit_of(key: str) -> str:
    """The unit a metric's axis is labelled with: yuan for money, % for rates and shares."""
    if key.endswith("_fen"):
        return "¥"
    if key.endswith(("_rate", "_share")):
        return "%"
    return ""
