"""Recommendations by co-visitation, with the reason in words; a merchant's likely members respect consent."""

from __future__ import annotations

import pytest

from guildcard.insights.domain.recommend import affinities, likely_members, recommend

NAMES = {"hotpot": "蜀香阁火锅", "cinema": "光影国际影城", "spa": "悦榕SPA", "books": "钟书阁"}
TRADES = {"hotpot": "dining", "cinema": "leisure", "spa": "beauty", "books": "leisure"}
VISITS = {
    "a": {"hotpot", "cinema"}, "b": {"hotpot", "cinema"}, "c": {"hotpot", "cinema", "spa"},
    "d": {"hotpot", "spa"}, "e": {"books"}, "f": {"hotpot"},
}  # fmt: skip


def test_affinity_is_the_share_of_as_customers_who_also_buy_at_b():
    aff = affinities(VISITS)
    assert aff["hotpot"]["cinema"] == pytest.approx(3 / 5)
    assert aff["cinema"]["hotpot"] == 1.0
    assert "books" not in aff["hotpot"]


def test_a_member_gets_unvisited_merchants_ranked_with_the_reason():
    aff = affinities(VISITS)
    (first, second) = recommend("f", VISITS["f"], aff, names=NAMES, trade_of=TRADES)
    assert (first.merchant_id, first.because_of) == ("cinema", "hotpot")
    assert first.reason_zh == "常去蜀香阁火锅的会员也常去光影国际影城（60%）"
    assert second.merchant_id == "spa"
    assert first.score > second.score
    assert recommend("e", VISITS["e"], aff, names=NAMES, trade_of=TRADES) == []  # nobody else goes there


def test_a_new_trade_and_a_near_store_raise_the_score():
    aff = {"hotpot": {"cinema": 0.4, "books": 0.4}}
    ranked = recommend("x", {"hotpot"}, aff, names=NAMES, trade_of={**TRADES, "books": "dining"})
    assert ranked[0].merchant_id == "cinema"  # leisure is a trade x has not tried; books is dining here
    near = recommend(
        "x", {"hotpot"}, aff, names=NAMES, trade_of=TRADES, km_between={("hotpot", "books"): 0.3}
    )
    assert near[0].merchant_id == "books"


def test_a_merchant_sees_only_likely_members_who_consented_to_sharing():
    aff = affinities(VISITS)
    assert likely_members("spa", VISITS, aff, allowed={"a", "b", "f"}) == [("a", 0.4), ("b", 0.4), ("f", 0.4)]
    assert likely_members("spa", VISITS, aff, allowed={"f"}) == [("f", 0.4)]
