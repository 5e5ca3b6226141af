"""Segments: saved filters over members that coupons, campaigns and automation target.

A filter combines (all must hold) RFM segments (any of), tags (all of), a rule over member facts
and value-grid cells (any of). Its member list is evaluated live against the current rollups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from guildcard.insights.domain.errors import BadRule
from guildcard.insights.domain.rfm import MemberFacts, Rfm, Segment
from guildcard.insights.domain.tags import compile_rule, facts_of, matches


@dataclass(frozen=True)
class SegmentFilter:
    rfm_segments: tuple[Segment, ...] = ()
    tags: tuple[str, ...] = ()  # tag ids, all required
    rule: str | None = None
    value_cells: tuple[str, ...] = ()  # "value-activity", e.g. "3-3" (see value.py)

    def to_json(self) -> dict[str, Any]:
        return {
            "rfm_segments": [s.value for s in self.rfm_segments], "tags": list(self.tags),
            "rule": self.rule, "value_cells": list(self.value_cells),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SegmentFilter:
        try:
            return cls(
                rfm_segments=tuple(Segment(s) for s in data.get("rfm_segments", ())),
                tags=tuple(str(t) for t in data.get("tags", ())),
                rule=data.get("rule") or None,
                value_cells=tuple(str(c) for c in data.get("value_cells", ())),
            )
        except ValueError as exc:
            raise BadRule(reason=str(exc)) from exc

    def check(self) -> None:
        if self.rule:
            compile_rule(self.rule)


@dataclass(frozen=True)
class MemberView:
    """What a filter looks at for one member."""

    facts: MemberFacts
    score: Rfm | None
    tags: frozenset[str] = field(default_factory=frozenset)
    cell: str | None = None
    tier: str = ""


def select_members(flt: SegmentFilter, members: Mapping[str, MemberView]) -> list[str]:
    rule = compile_rule(flt.rule) if flt.rule else None
    keep: list[Callable[[MemberView], bool]] = []
    if flt.rfm_segments:
        keep.append(lambda v: v.score is not None and v.score.segment in flt.rfm_segments)
    if flt.tags:
        keep.append(lambda v: set(flt.tags) <= v.tags)
    if flt.value_cells:
        keep.append(lambda v: v.cell in flt.value_cells)
    if rule is not None:
        keep.append(lambda v: matches(rule, facts_of(v.facts, v.score, v.tier)))
    return sorted(m for m, v in members.items() if all(k(v) for k in keep))
