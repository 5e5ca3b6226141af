"""Member facts, RFM scores 1-5 and the eight classic segments (八大客户类型).

Recency, frequency and monetary value come from a member's purchase days up to ``as_of``:
recency = days since the last purchase (fewer is better), frequency = distinct purchase days,
monetary = sales in fen (net of refunds). Each is scored 1-5 by quintile of rank among the
members scored together (the alliance, or one merchant's customers); ties share a score. A
score is "high" when it is above the mean score of those members, which puts each member in
one of eight segments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from statistics import mean

from guildcard.insights.domain.facts import MemberDay


@dataclass(frozen=True)
class MemberFacts:
    member_id: str
    first_day: date
    last_day: date
    days_since_last: int
    purchase_days: int
    orders: int
    monetary_fen: int
    merchants_visited: int
    trades_visited: int
    purchase_cycle_days: float  # mean days between purchase days; 0 with fewer than two
    tenure_days: int  # days since the first purchase


def member_facts(
    rows: Iterable[MemberDay], *, as_of: date, trade_of: Mapping[str, str]
) -> dict[str, MemberFacts]:
    """Each member's facts from their member-day rows before ``as_of``."""
    days: dict[str, set[date]] = defaultdict(set)
    orders: dict[str, int] = defaultdict(int)
    money: dict[str, int] = defaultdict(int)
    merchants: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.day >= as_of or r.orders <= 0:
            continue
        days[r.member_id].add(r.day)
        orders[r.member_id] += r.orders
        money[r.member_id] += r.sales_fen
        merchants[r.member_id].add(r.merchant_id)
    found = {}
    for m, ds in days.items():
        first, last = min(ds), max(ds)
        cycle = (last - first).days / (len(ds) - 1) if len(ds) > 1 else 0.0
        trades = {trade_of.get(x, x) for x in merchants[m]}
        found[m] = MemberFacts(
            m, first, last, (as_of - last).days, len(ds), orders[m], money[m], len(merchants[m]), len(trades),
            round(cycle, 1), (as_of - first).days,
        )  # fmt: skip
    return found


def quintile_scores(values: Mapping[str, float], *, higher_is_better: bool = True) -> dict[str, int]:
    """1-5 by quintile of rank; equal values share the score of their first rank."""
    ordered = sorted(values.items(), key=lambda kv: kv[1], reverse=not higher_is_better)
    n = len(ordered)
    scores: dict[str, int] = {}
    first_rank: dict[float, int] = {}
    for rank, (member, value) in enumerate(ordered):
        start = first_rank.setdefault(value, rank)
        scores[member] = 1 + (5 * start) // n
    return scores


class Segment(StrEnum):
    CHAMPIONS = "champions"
    WIN_BACK = "win_back"
    DEVELOP = "develop"
    AT_RISK = "at_risk"
    POTENTIAL = "potential"
    NEW = "new"
    MAINTAIN = "maintain"
    LOST = "lost"


# (R high, F high, M high) -> segment
SEGMENTS_BY_HIGH = {
    (True, True, True): Segment.CHAMPIONS,
    (False, True, True): Segment.WIN_BACK,
    (True, False, True): Segment.DEVELOP,
    (False, False, True): Segment.AT_RISK,
    (True, True, False): Segment.POTENTIAL,
    (True, False, False): Segment.NEW,
    (False, True, False): Segment.MAINTAIN,
    (False, False, False): Segment.LOST,
}

SEGMENT_NAMES = {
    Segment.CHAMPIONS: ("重要价值客户", "Champions", "最近来过、常来、花得多：重点维护"),
    Segment.WIN_BACK: ("重要唤回客户", "Win back", "常来、花得多，但很久没来：尽快唤回"),
    Segment.DEVELOP: ("重要深耕客户", "Develop", "最近来过、花得多，但来得少：提高频次"),
    Segment.AT_RISK: ("重要挽留客户", "At risk", "花得多，但来得少、很久没来：重点挽留"),
    Segment.POTENTIAL: ("潜力客户", "Potential", "最近来过、常来，但花得少：提升客单价"),
    Segment.NEW: ("新客户", "New", "最近来过，来得少、花得少：培养习惯"),
    Segment.MAINTAIN: ("一般维持客户", "Maintain", "常来但花得少，很久没来：低成本维持"),
    Segment.LOST: ("流失客户", "Lost", "来得少、花得少、很久没来"),
}


@dataclass(frozen=True)
class Rfm:
    member_id: str
    r: int
    f: int
    m: int
    segment: Segment


def rfm(facts: Mapping[str, MemberFacts]) -> dict[str, Rfm]:
    """Scores and segments of the members given (scored against each other)."""
    if not facts:
        return {}
    r = quintile_scores({k: f.days_since_last for k, f in facts.items()}, higher_is_better=False)
    f = quintile_scores({k: f.purchase_days for k, f in facts.items()})
    m = quintile_scores({k: f.monetary_fen for k, f in facts.items()})
    mr, mf, mm = mean(r.values()), mean(f.values()), mean(m.values())
    return {k: Rfm(k, r[k], f[k], m[k], SEGMENTS_BY_HIGH[(r[k] > mr, f[k] > mf, m[k] > mm)]) for k in facts}


def segment_counts(scores: Iterable[Rfm]) -> dict[Segment, int]:
    counts = dict.fromkeys(Segment, 0)
    for s in scores:
        counts[s.segment] += 1
    return counts


def rfm_grid(scores: Sequence[Rfm]) -> dict[tuple[int, int], int]:
    """(R, F) -> members: the 5x5 grid the page draws."""
    grid: dict[tuple[int, int], int] = defaultdict(int)
    for s in scores:
        grid[(s.r, s.f)] += 1
    return dict(grid)
