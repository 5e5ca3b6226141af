"""Who brings whom (引流): members first acquired at merchant A who later bought at merchant B.

A member is acquired where they first bought in the alliance. Every purchase day at another
merchant B, on or after that first day, counts for the pair (A, B): members, orders, sales and
the points B awarded them. "New customers from the alliance" of B are the members who came to B
after being acquired elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from guildcard.insights.domain.facts import MemberDay


@dataclass(frozen=True)
class Flow:
    source: str  # merchant id (or trade code) where the members were acquired
    target: str  # where they later bought
    members: int
    orders: int
    sales_fen: int
    points: int


def flows(rows: Iterable[MemberDay], acquired: Mapping[str, tuple[date, str]]) -> list[Flow]:
    """Per (A, B) pair with A != B, from member-day rows (any window) and each member's acquisition."""
    return _flows(rows, acquired, lambda merchant: merchant)


def trade_flows(
    rows: Iterable[MemberDay], acquired: Mapping[str, tuple[date, str]], trade_of: Mapping[str, str]
) -> list[Flow]:
    """The same per trade pair (members acquired in trade X who bought in another trade Y)."""
    return _flows(rows, acquired, lambda merchant: trade_of.get(merchant, "?"))


def _flows(
    rows: Iterable[MemberDay], acquired: Mapping[str, tuple[date, str]], group: Callable[[str], str]
) -> list[Flow]:
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        first = acquired.get(r.member_id)
        if first is None or r.day < first[0]:
            continue
        source, target = group(first[1]), group(r.merchant_id)
        if source == target:
            continue
        pair = (source, target)
        members[pair].add(r.member_id)
        s = sums[pair]
        s[0], s[1], s[2] = s[0] + r.orders, s[1] + r.sales_fen, s[2] + r.points
    return sorted(
        (Flow(a, b, len(members[(a, b)]), *sums[(a, b)]) for a, b in members),
        key=lambda f: (-f.members, f.source, f.target),
    )


def new_from_alliance(found: Iterable[Flow]) -> dict[str, int]:
    """Target -> members acquired elsewhere who bought there (each member once per target)."""
    out: dict[str, int] = defaultdict(int)
    for f in found:
        out[f.target] += f.members
    return dict(out)
