"""Tags by rule: a small expression language (``rule-engine``) over a member's facts.

A rule reads like ``days_since_last > 60 and monetary_fen >= 100000`` or ``trades_visited >= 3``.
The symbols are the fields of ``MemberFacts`` plus ``r``, ``f``, ``m``, ``segment`` and ``tier``
(empty when the member has none); anything else is refused when the tag is defined.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import rule_engine

from guildcard.insights.domain.errors import BadRule
from guildcard.insights.domain.rfm import MemberFacts, Rfm

_T = rule_engine.DataType
SYMBOLS: dict[str, Any] = {
    "days_since_last": _T.FLOAT,
    "purchase_days": _T.FLOAT,
    "orders": _T.FLOAT,
    "monetary_fen": _T.FLOAT,
    "merchants_visited": _T.FLOAT,
    "trades_visited": _T.FLOAT,
    "purchase_cycle_days": _T.FLOAT,
    "tenure_days": _T.FLOAT,
    "r": _T.FLOAT,
    "f": _T.FLOAT,
    "m": _T.FLOAT,
    "segment": _T.STRING,
    "tier": _T.STRING,
}
_CONTEXT = rule_engine.Context(type_resolver=rule_engine.type_resolver_from_dict(SYMBOLS))


def compile_rule(text: str) -> rule_engine.Rule:
    """The rule, checked against the symbols and their types; ``BadRule`` when it is not valid."""
    try:
        return rule_engine.Rule(text, context=_CONTEXT)
    except rule_engine.errors.EngineError as exc:
        raise BadRule(rule=text, reason=str(exc)) from exc


def facts_of(facts: MemberFacts, score: Rfm | None, tier: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {k: v for k, v in asdict(facts).items() if k in SYMBOLS}
    values.update(
        r=score.r if score else 0, f=score.f if score else 0, m=score.m if score else 0,
        segment=score.segment.value if score else "", tier=tier,
    )  # fmt: skip
    return {k: float(v) if SYMBOLS[k] is _T.FLOAT else v for k, v in values.items()}


def matches(rule: rule_engine.Rule, values: dict[str, Any]) -> bool:
    return bool(rule.matches(values))
