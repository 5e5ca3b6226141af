"""Each member as insights sees them: facts, RFM, tags, value-grid cell; segments evaluated live.

``members_in_segment(conn, segment_id)`` is what coupons, campaigns and automation call to
target a saved segment (on their own connection; the segment id names its alliance).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from guildcard.insights.domain import rfm as r
from guildcard.insights.domain.segments import MemberView, SegmentFilter, select_members
from guildcard.insights.domain.tags import compile_rule, facts_of, matches
from guildcard.insights.domain.value import Cell, value_grid
from guildcard.insights.queries import grouped, monthly
from guildcard.insights.queries.scope import merchant_names
from guildcard.insights.storage.rollups import RollupRepository
from guildcard.insights.storage.segments import SegmentRepository, StoredSegment, segment_by_id
from guildcard.insights.storage.tables import member_days

HISTORY_DAYS = 730  # facts look two years back


def last_day(conn: Connection, alliance_id: str) -> date | None:
    """The last day the rollups hold."""
    found = conn.execute(select(func.max(member_days.c.day)).where(member_days.c.alliance_id == alliance_id))
    return found.scalar()


def default_as_of(conn: Connection, alliance_id: str) -> date:
    last = last_day(conn, alliance_id)
    return (last or date(2000, 1, 1)) + timedelta(days=1)


@dataclass(frozen=True)
class Population:
    as_of: date
    facts: dict[str, r.MemberFacts]
    scores: dict[str, r.Rfm]
    cells: dict[str, Cell]
    tags: dict[str, frozenset[str]]  # member -> tag ids (rules evaluated now, hands stored)

    def views(self) -> dict[str, MemberView]:
        return {
            m: MemberView(f, self.scores.get(m), self.tags.get(m, frozenset()), self._cell(m))
            for m, f in self.facts.items()
        }

    def _cell(self, member: str) -> str | None:
        cell = self.cells.get(member)
        return cell.key if cell else None


def population(
    conn: Connection, alliance_id: str, *, as_of: date | None = None, merchant_id: str | None = None,
    expected_value: Mapping[str, float] | None = None, p_alive: Mapping[str, float] | None = None,
    from_rows: bool = False,
) -> Population:  # fmt: skip
    """Every member with a purchase in the last two years (at one merchant: its customers there)."""
    as_of = as_of or default_as_of(conn, alliance_id)
    merchants = None if merchant_id is None else [merchant_id]
    trade_of = {m: trade for m, (_, trade) in merchant_names(conn, alliance_id).items()}
    if from_rows:  # the old path: every member-day row into Python (the benchmark's baseline)
        rows = RollupRepository(conn, alliance_id).member_days(
            as_of - timedelta(days=HISTORY_DAYS), as_of, merchant_ids=merchants
        )
        facts = r.member_facts(rows, as_of=as_of, trade_of=trade_of)
    else:
        since = as_of - timedelta(days=HISTORY_DAYS)
        facts = grouped.member_facts(
            conn, alliance_id, since=since, as_of=as_of, trade_of=trade_of, merchant_ids=merchants
        )
    scores = r.rfm(facts)
    if expected_value:
        value = {m: expected_value.get(m, 0.0) for m in facts}
        activity = {m: (p_alive or {}).get(m, 0.0) for m in facts}
        cells = value_grid(value, activity, value_basis="expected value")
    else:
        value = {m: float(f.monetary_fen) / 100 for m, f in facts.items()}
        activity = {m: (s.r + s.f) / 10 for m, s in scores.items()}
        cells = value_grid(value, activity, value_basis="spend so far")
    return Population(as_of, facts, scores, cells, _tags(conn, alliance_id, facts, scores))


def summary(
    conn: Connection, alliance_id: str, *, as_of: date | None = None, merchant_id: str | None = None
) -> monthly.PopulationSummary:
    """The counts of ``population``'s funnel, RFM segments and grid, and value grid (spend so far),
    computed in SQL: what the pages draw, without a row per member in Python."""
    as_of = as_of or default_as_of(conn, alliance_id)
    trade_of = {m: trade for m, (_, trade) in merchant_names(conn, alliance_id).items()}
    return monthly.population_summary(
        conn, alliance_id, since=as_of - timedelta(days=HISTORY_DAYS), as_of=as_of, trade_of=trade_of,
        merchant_ids=None if merchant_id is None else [merchant_id],
    )  # fmt: skip


def _tags(
    conn: Connection, alliance_id: str, facts: Mapping[str, r.MemberFacts], scores: Mapping[str, r.Rfm]
) -> dict[str, frozenset[str]]:
    repo = SegmentRepository(conn, alliance_id)
    found: dict[str, set[str]] = {m: set() for m in facts}
    for tag_id, members in repo.hand_tags().items():
        for m in members:
            found.setdefault(m, set()).add(tag_id)
    for tag in repo.tags():
        if tag.rule:
            rule = compile_rule(tag.rule)
            for m, f in facts.items():
                if matches(rule, facts_of(f, scores.get(m))):
                    found[m].add(tag.tag_id)
    return {m: frozenset(t) for m, t in found.items()}


def segment_members(pop: Population, segment: StoredSegment) -> list[str]:
    return select_members(SegmentFilter.from_json(segment.definition), pop.views())


def members_in_segment(conn: Connection, segment_id: str, *, as_of: date | None = None) -> list[str]:
    """The member ids a saved segment holds now (empty when there is no such segment)."""
    segment = segment_by_id(conn, segment_id)
    if segment is None:
        return []
    return segment_members(population(conn, segment.alliance_id, as_of=as_of), segment)


def alliance_segment_members(conn: Connection, alliance_id: str, segment_id: str) -> list[str] | None:
    """The members a saved segment of this alliance holds now (None: no such segment here)."""
    segment = segment_by_id(conn, segment_id)
    if segment is None or segment.alliance_id != alliance_id:
        return None
    return segment_members(population(conn, alliance_id), segment)


@dataclass(frozen=True)
class SegmentCount:
    segment: StoredSegment
    members: int


def segment_counts(conn: Connection, alliance_id: str, *, as_of: date | None = None) -> list[SegmentCount]:
    """Every saved segment with its live member count."""
    saved = SegmentRepository(conn, alliance_id).segments()
    if not saved:
        return []
    pop = population(conn, alliance_id, as_of=as_of)
    return [SegmentCount(s, len(segment_members(pop, s))) for s in saved]
