"""Recommendations by co-visitation: members who frequent A also frequent B.

``affinity(A, B)`` = the share of A's customers who are also B's customers. A member's score
for a merchant B they have not visited is the strongest affinity from a merchant they have
visited, plus a small bonus when B is in a trade they have not tried (complementarity) and a
small one when B is near a merchant they visited (distance, when coordinates are known). The
reason names the merchant that gave the affinity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

NEW_TRADE_BONUS = 0.05
NEAR_BONUS = 0.03  # B within NEAR_KM of a merchant the member visited
NEAR_KM = 1.0


@dataclass(frozen=True)
class Recommendation:
    member_id: str
    merchant_id: str
    score: float
    because_of: str  # the visited merchant with the strongest affinity
    reason_zh: str
    reason_en: str


def affinities(visits: Mapping[str, set[str]]) -> dict[str, dict[str, float]]:
    """A -> B -> share of A's customers who are also B's."""
    customers: dict[str, int] = defaultdict(int)
    both: dict[tuple[str, str], int] = defaultdict(int)
    for merchants in visits.values():
        for a in merchants:
            customers[a] += 1
            for b in merchants:
                if a != b:
                    both[(a, b)] += 1
    return affinities_of_counts(customers, both)


def affinities_of_counts(
    customers: Mapping[str, int], both: Mapping[tuple[str, str], int]
) -> dict[str, dict[str, float]]:
    """The same from the counts: customers per merchant, customers of both A and B (SQL gives them)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (a, b), n in both.items():
        out[a][b] = n / customers[a]
    return out


def recommend(
    member_id: str,
    visited: set[str],
    affinity: Mapping[str, Mapping[str, float]],
    *,
    names: Mapping[str, str],
    trade_of: Mapping[str, str],
    km_between: Mapping[tuple[str, str], float] | None = None,
    limit: int = 3,
) -> list[Recommendation]:
    best: dict[str, tuple[float, str]] = {}
    for a in visited:
        for b, share in affinity.get(a, {}).items():
            if b not in visited and share > best.get(b, (0.0, ""))[0]:
                best[b] = (share, a)
    tried = {trade_of.get(m) for m in visited}
    scored = []
    for b, (share, a) in best.items():
        score = share + (NEW_TRADE_BONUS if trade_of.get(b) not in tried else 0.0)
        if km_between and any(km_between.get((v, b), NEAR_KM + 1) <= NEAR_KM for v in visited):
            score += NEAR_BONUS
        zh = f"常去{names.get(a, a)}的会员也常去{names.get(b, b)}（{share:.0%}）"
        en = f"Members who frequent {names.get(a, a)} also frequent {names.get(b, b)} ({share:.0%})"
        scored.append(Recommendation(member_id, b, round(score, 4), a, zh, en))
    return sorted(scored, key=lambda r: (-r.score, r.merchant_id))[:limit]


def likely_members(
    merchant_id: str,
    visits: Mapping[str, set[str]],
    affinity: Mapping[str, Mapping[str, float]],
    *,
    allowed: set[str],
) -> list[tuple[str, float]]:
    """Members who have not visited the merchant, most likely first; only those in ``allowed``
    (the members whose sharing consent lets the merchant target them)."""
    found = []
    for member, visited in visits.items():
        if merchant_id in visited or member not in allowed:
            continue
        score = max((affinity.get(a, {}).get(merchant_id, 0.0) for a in visited), default=0.0)
        if score > 0:
            found.append((member, round(score, 4)))
    return sorted(found, key=lambda x: (-x[1], x[0]))
