"""The rollups follow the counter through the outbox, a day at a time, and the metrics read them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tests.integration.insights.world import World, make_world

from guildcard.db.engine import Database
from guildcard.insights.domain.errors import BadDailyTotal, InsightsNotAllowed, WalkInConflict
from guildcard.insights.domain.windows import parse_period
from guildcard.insights.queries.scope import Scope, ScopeKind


def at(day: str, hour: int = 4) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture
def world(database: Database):
    w = make_world(database)
    yield w
    w.container.close()


def story(w: World) -> dict[str, int]:
    hotpot, cinema = w.alliance.hotpot, w.alliance.cinema
    paid = {}
    _, paid["m0-oct2"] = w.buy(0, hotpot, 10_000, at=at("2026-10-02"))
    _, paid["m0-oct10"] = w.buy(0, hotpot, 8_000, at=at("2026-10-10"))
    _, paid["m1-oct3"] = w.buy(1, cinema, 6_000, at=at("2026-10-03"))
    _, paid["m2-oct5"] = w.buy(2, hotpot, 4_000, at=at("2026-10-05"))
    _, paid["m0-nov4"] = w.buy(0, cinema, 5_000, at=at("2026-11-04"))
    order, paid["m2-nov6"] = w.buy(2, hotpot, 20_000, at=at("2026-11-06"))
    w.refund(hotpot, order, 2_000, at=at("2026-11-07"))
    return paid


def test_the_metrics_of_a_month_follow_the_counter(world: World) -> None:
    paid = story(world)
    ops = world.operator
    first = world.container.insights.refresh(ops)
    assert first.events == 7  # six purchases and a refund
    assert date(2026, 11, 6) in first.days
    nov = world.container.insights.metrics(ops, parse_period("2026-11"))
    assert nov.active_members == 2  # m0 and m2
    assert nov.churn_rate == pytest.approx(1 / 3)  # m1 bought in October, not in November
    assert nov.repurchase_rate == 0.0
    assert nov.member_sales_fen == paid["m0-nov4"] + paid["m2-nov6"] - 2_000
    oct_ = world.container.insights.metrics(ops, parse_period("2026-10"))
    assert (oct_.new_members, oct_.activation_rate) == (4, 0.75)  # m3 never bought
    assert oct_.repurchase_rate == pytest.approx(1 / 3)  # m0 on Oct 2 and Oct 10
    assert nov.member_sales_share is None  # nobody reported non-member sales


def test_a_refresh_recomputes_only_the_days_new_events_touched(world: World) -> None:
    story(world)
    ops = world.operator
    world.container.insights.refresh(ops)  # at the refund's moment: it is read again next time
    assert world.container.insights.refresh(ops).days == [date(2026, 11, 6)]
    world.clock.set(at("2026-11-08"))
    world.container.insights.refresh(ops)
    world.clock.set(at("2026-11-08") + timedelta(minutes=5))
    assert world.container.insights.refresh(ops).days == []  # nothing new since
    world.buy(3, world.alliance.cinema, 3_000, at=at("2026-11-20"))
    again = world.container.insights.refresh(ops)
    assert again.days == [date(2026, 11, 20)]
    nov = world.container.insights.metrics(ops, parse_period("2026-11"))
    assert nov.active_members == 3


def test_a_daily_total_gives_the_member_share_of_the_stores_sales(world: World) -> None:
    paid = story(world)
    hotpot = world.alliance.hotpot
    owner = world.owner(hotpot)
    insights = world.container.insights
    insights.report_daily_total(
        owner, store_id=hotpot.store_ids[0], day=date(2026, 11, 6), orders=5, sales_fen=90_000
    )
    insights.refresh(world.operator)
    nov = insights.metrics(owner, parse_period("2026-11"), scope=Scope(ScopeKind.MERCHANT, hotpot.id))
    member_fen = paid["m2-nov6"] - 2_000
    assert nov.member_sales_share == pytest.approx(member_fen / 90_000)
    assert nov.conversion_rate == pytest.approx(1 / 5)
    with pytest.raises(BadDailyTotal):
        insights.report_daily_total(
            owner, store_id=hotpot.store_ids[0], day=date(2026, 11, 6), orders=-1, sales_fen=0
        )
    other = world.owner(world.alliance.cinema)
    with pytest.raises(InsightsNotAllowed):
        insights.report_daily_total(
            other, store_id=hotpot.store_ids[0], day=date(2026, 11, 6), orders=1, sales_fen=1
        )
    with pytest.raises(InsightsNotAllowed):
        insights.metrics(other, parse_period("2026-11"), scope=Scope(ScopeKind.MERCHANT, hotpot.id))


def test_walk_ins_and_item_counts_complete_the_figures(world: World) -> None:
    hotpot = world.alliance.hotpot
    insights, owner = world.container.insights, world.owner(hotpot)
    _, paid = world.buy(0, hotpot, 10_000, at=at("2026-11-03"), items=4)
    world.clock.set(at("2026-11-03", 6))
    walk_in = insights.record_walk_in(
        owner, store_id=hotpot.store_ids[0], order_no="W-1", amount_fen=30_000, items=2
    )
    again = insights.record_walk_in(
        owner, store_id=hotpot.store_ids[0], order_no="W-1", amount_fen=30_000, items=2
    )
    assert again.sale_id == walk_in.sale_id  # the same order again: the first sale
    with pytest.raises(WalkInConflict):
        insights.record_walk_in(owner, store_id=hotpot.store_ids[0], order_no="W-1", amount_fen=1, items=2)
    insights.refresh(world.operator)
    nov = insights.metrics(world.operator, parse_period("2026-11"))
    assert nov.items_per_order == 3.0  # (4 + 2) items over 2 orders
    assert nov.member_sales_share == pytest.approx(paid / (paid + 30_000))
    assert nov.conversion_rate == 0.5
    assert nov.average_order_value_fen == (paid + 30_000) // 2
