"""Cohorts and who brings whom, on purchases recorded at the real counter."""

from __future__ import annotations

from datetime import date

import pytest
from tests.integration.insights.test_rollups import at
from tests.integration.insights.world import make_world

from guildcard.db.engine import Database
from guildcard.insights.domain.windows import parse_period


def test_the_hotpot_brings_its_members_to_the_cinema(database: Database) -> None:
    w = make_world(database)
    try:
        hotpot, cinema = w.alliance.hotpot, w.alliance.cinema
        w.buy(0, hotpot, 10_000, at=at("2026-10-02"))
        w.buy(1, hotpot, 10_000, at=at("2026-10-03"))
        _, paid = w.buy(0, cinema, 6_000, at=at("2026-11-04"))
        w.buy(2, cinema, 6_000, at=at("2026-11-05"))  # acquired at the cinema itself
        w.container.insights.refresh(w.operator)
        found = w.container.insights.flows(w.operator, parse_period("2026-11"))
        ((pair),) = found.merchants
        assert (pair.source, pair.target, pair.members, pair.sales_fen) == (hotpot.id, cinema.id, 1, paid)
        assert found.new_from_alliance == {cinema.id: 1}
        cohorts = w.container.insights.cohorts(w.operator, last_day=date(2026, 11, 30), months=3)
        (october,) = cohorts.by_registration  # every member registered on Oct 1
        assert (october.size, october.active) == (4, (2, 2))
        by_merchant = {c.key: c for c in cohorts.by_first_merchant}
        assert by_merchant[hotpot.id].retention == pytest.approx((1.0, 0.5))
    finally:
        w.container.close()
