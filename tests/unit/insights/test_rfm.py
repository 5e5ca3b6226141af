"""RFM scores, the eight segments and tags by rule, on small hand-made histories."""

from __future__ import annotations

from datetime import date

import pytest

from guildcard.insights.domain import rfm
from guildcard.insights.domain.errors import BadRule
from guildcard.insights.domain.facts import Sale, roll_up
from guildcard.insights.domain.tags import compile_rule, facts_of, matches

D = date.fromisoformat
AS_OF = D("2026-12-01")
TRADES = {"hotpot": "dining", "cinema": "leisure", "spa": "leisure"}


def history():
    sales = [
        # a: recent, frequent, big spender
        *[Sale(D(f"2026-11-{d:02d}"), "hotpot", "h1", 50_000, "a") for d in (3, 10, 17, 24, 28)],
        Sale(D("2026-11-29"), "cinema", "c1", 8_000, "a"),
        # b: frequent and big, but not since September
        *[Sale(D(f"2026-09-{d:02d}"), "spa", "s1", 60_000, "b") for d in (2, 9, 16, 23)],
        # c: came once, yesterday, small
        Sale(D("2026-11-30"), "cinema", "c1", 3_000, "c"),
        # d: came once, long ago, small
        Sale(D("2026-08-01"), "cinema", "c1", 2_000, "d"),
        # e: twice in October, middling
        Sale(D("2026-10-01"), "hotpot", "h1", 9_000, "e"), Sale(D("2026-10-15"), "hotpot", "h1", 9_000, "e"),
    ]  # fmt: skip
    rows, _ = roll_up(sales)
    return rfm.member_facts(rows, as_of=AS_OF, trade_of=TRADES)


def test_member_facts_are_counted_up_to_the_as_of_day():
    facts = history()
    a = facts["a"]
    assert (a.days_since_last, a.purchase_days, a.orders, a.monetary_fen) == (2, 6, 6, 258_000)
    assert (a.merchants_visited, a.trades_visited, a.tenure_days) == (2, 2, 28)
    assert a.purchase_cycle_days == pytest.approx(26 / 5, abs=0.05)
    assert facts["c"].purchase_cycle_days == 0.0


def test_quintiles_score_one_to_five_and_ties_share_a_score():
    scores = rfm.quintile_scores({"a": 10, "b": 20, "c": 20, "d": 30, "e": 40})
    assert scores == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5}
    assert rfm.quintile_scores({"a": 1, "b": 9}, higher_is_better=False) == {"a": 3, "b": 1}


def test_the_eight_segments_follow_high_and_low_scores():
    scores = rfm.rfm(history())
    assert scores["a"].segment is rfm.Segment.CHAMPIONS
    assert scores["b"].segment is rfm.Segment.WIN_BACK  # frequent and big, but long ago
    assert scores["c"].segment is rfm.Segment.NEW
    assert scores["d"].segment is rfm.Segment.LOST
    assert rfm.SEGMENT_NAMES[rfm.Segment.WIN_BACK][0] == "重要唤回客户"
    counts = rfm.segment_counts(scores.values())
    assert sum(counts.values()) == 5
    assert len(counts) == 8


def test_a_tag_rule_reads_member_facts():
    facts, scores = history(), rfm.rfm(history())
    rule = compile_rule('days_since_last > 60 and monetary_fen >= 100000 or segment == "lost"')
    tagged = {m for m in facts if matches(rule, facts_of(facts[m], scores[m]))}
    assert tagged == {"b", "d"}
    explorers = compile_rule("trades_visited >= 2")
    assert {m for m in facts if matches(explorers, facts_of(facts[m], scores[m]))} == {"a"}


@pytest.mark.parametrize("text", ["days_since > 3", "days_since_last >", 'tier + 1 == "x"'])
def test_a_bad_rule_is_refused_when_the_tag_is_defined(text):
    with pytest.raises(BadRule):
        compile_rule(text)
