"""The value grid (会员价值九宫格): expected value x activity, three levels each, stars 1-9.

Levels are terciles of rank among the members placed together (1 low, 3 high). Stars =
3 x (value level - 1) + activity level, so a high-value, highly active member has 9 stars and
a low-value, inactive one 1. Expected value comes from the lifetime-value model when it has
been fitted (``clv.py``), otherwise from the member's spend so far; activity from P(alive), or
from recency and frequency scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LEVEL_ZH = {1: "低", 2: "中", 3: "高"}
LEVEL_EN = {1: "low", 2: "middle", 3: "high"}


@dataclass(frozen=True)
class Cell:
    value_level: int
    activity_level: int
    stars: int
    reason_zh: str
    reason_en: str

    @property
    def key(self) -> str:
        return f"{self.value_level}-{self.activity_level}"


def terciles(values: Mapping[str, float]) -> dict[str, int]:
    """1-3 by tercile of rank (higher value, higher level); ties share a level."""
    ordered = sorted(values.items(), key=lambda kv: kv[1])
    n = len(ordered)
    first_rank: dict[float, int] = {}
    levels: dict[str, int] = {}
    for rank, (member, value) in enumerate(ordered):
        levels[member] = 1 + (3 * first_rank.setdefault(value, rank)) // n
    return levels


def value_grid(
    value: Mapping[str, float], activity: Mapping[str, float], *, value_basis: str
) -> dict[str, Cell]:
    """Each member's cell; ``value_basis`` names what value is ("expected value" or "spend so far")."""
    v, a = terciles(value), terciles({m: activity.get(m, 0.0) for m in value})
    zh_basis = "预期价值" if value_basis == "expected value" else "累计消费"
    cells = {}
    for m in value:
        stars = 3 * (v[m] - 1) + a[m]
        worth, active = f"{value[m]:.0f}", f"{activity.get(m, 0.0):.2f}"
        zh = f"{zh_basis}{LEVEL_ZH[v[m]]}（{worth}），活跃度{LEVEL_ZH[a[m]]}（{active}）"
        en = f"{value_basis} {LEVEL_EN[v[m]]} ({worth}), activity {LEVEL_EN[a[m]]} ({active})"
        cells[m] = Cell(v[m], a[m], stars, zh, en)
    return cells


def grid_counts(cells: Mapping[str, Cell]) -> dict[str, int]:
    counts = {f"{v}-{a}": 0 for v in (1, 2, 3) for a in (1, 2, 3)}
    for c in cells.values():
        counts[c.key] += 1
    return counts
