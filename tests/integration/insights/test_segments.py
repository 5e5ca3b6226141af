"""Tags by rule and by hand, saved segments with live counts, and ``members_in_segment`` for targeting."""

from __future__ import annotations

import pytest
from tests.integration.insights.test_rollups import at
from tests.integration.insights.world import make_world

from guildcard.db.engine import Database
from guildcard.insights.domain.errors import BadRule, InsightsNotAllowed, SegmentNotFound
from guildcard.insights.domain.rfm import Segment
from guildcard.insights.queries.members import members_in_segment


def test_segments_target_the_members_their_filters_hold(database: Database) -> None:
    w = make_world(database)
    try:
        hotpot, cinema = w.alliance.hotpot, w.alliance.cinema
        ids = w.alliance.member_ids
        for day in ("2026-10-02", "2026-10-12", "2026-10-22", "2026-11-02"):
            w.buy(0, hotpot, 30_000, at=at(day))
        w.buy(0, cinema, 8_000, at=at("2026-11-05"))  # the most recent, too
        w.buy(1, cinema, 3_000, at=at("2026-10-05"))
        w.buy(2, hotpot, 5_000, at=at("2026-11-04"))
        insights, ops = w.container.insights, w.operator
        insights.refresh(ops)
        explorers = insights.define_tag(ops, name="跨业态", rule="trades_visited >= 2")
        vip = insights.define_tag(ops, name="手工VIP")
        assert insights.tag_members(ops, tag_id=vip.tag_id, member_ids=[ids[1], ids[2]]) == 2
        with pytest.raises(BadRule):
            insights.define_tag(ops, name="bad", rule="nonsense >")
        pop = insights.population(ops)
        assert pop.scores[ids[0]].segment is Segment.CHAMPIONS
        assert pop.facts[ids[0]].trades_visited == 2
        cross = insights.save_segment(ops, name="跨业态会员", definition={"tags": [explorers.tag_id]})
        hand = insights.save_segment(
            ops, name="VIP 近期", definition={"tags": [vip.tag_id], "rule": "days_since_last < 20"}
        )
        with database.read() as conn:
            assert members_in_segment(conn, cross.segment_id) == [ids[0]]
            assert members_in_segment(conn, hand.segment_id) == [ids[2]]  # member 1 last came in October
            assert members_in_segment(conn, "seg_nope") == []
        counts = {c.segment.name: c.members for c in insights.segments(ops)}
        assert counts == {"跨业态会员": 1, "VIP 近期": 1}
        (first, *_) = insights.recommendations(ops, ids[2])  # member 2 only knows the hot pot
        assert first.merchant_id == cinema.id
        assert first.reason_zh.startswith("常去")
        assert "的会员也常去" in first.reason_zh
        likely = insights.likely_members(w.owner(cinema), cinema.id)
        assert likely.members == []  # no one consented to sharing with merchants: a count only
        assert likely.without_consent == 1
        with pytest.raises(InsightsNotAllowed):
            insights.likely_members(w.owner(hotpot), cinema.id)
        with pytest.raises(InsightsNotAllowed):
            insights.save_segment(w.owner(hotpot), name="x", definition={})
        with pytest.raises(SegmentNotFound):
            insights.members_in_segment(ops, "seg_nope")
    finally:
        w.container.close()
