"""The member-month rollups: kept with the daily ones, and the figures read from them are the
figures the definitions give over every daily row (RFM counts, value grid, funnel, co-visitation)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select
from tests.integration.insights.test_grouped import history
from tests.integration.insights.world import World, make_world

from guildcard.db import schema
from guildcard.db.engine import Database
from guildcard.insights.domain.facts import MemberDay
from guildcard.insights.domain.recommend import affinities
from guildcard.insights.domain.rfm import rfm_grid, segment_counts
from guildcard.insights.domain.value import grid_counts
from guildcard.insights.queries import members as member_queries
from guildcard.insights.queries import monthly, recommendations
from guildcard.insights.storage.rollups import RollupRepository
from guildcard.insights.storage.tables import member_merchant_months, member_months


@pytest.fixture
def world(database: Database):
    w = make_world(database, members=8)
    yield w
    w.container.close()


def _months(w: World) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with w.container.database.read() as conn:
        return tuple(  # type: ignore[return-value]
            sorted(tuple(r) for r in conn.execute(select(t).where(t.c.alliance_id == w.alliance.id)))
            for t in (member_months, member_merchant_months)
        )


def _rebuilt(w: World) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The month rows the daily rows give, summed here in Python (what the tables must hold)."""
    with w.container.database.read() as conn:
        rows = RollupRepository(conn, w.alliance.id).member_days(date(2000, 1, 1), date(2100, 1, 1))
    per: dict[tuple[object, ...], list[MemberDay]] = defaultdict(list)
    for r in rows:
        if r.orders > 0:
            month = r.day.replace(day=1)
            per[(month, r.member_id)].append(r)
            per[(month, r.member_id, r.merchant_id)].append(r)
    out: tuple[list[tuple[object, ...]], list[tuple[object, ...]]] = ([], [])
    for key, rs in per.items():
        days = [r.day for r in rs]
        sums = [len(set(days)), sum(r.orders for r in rs), sum(r.sales_fen for r in rs)]
        if len(key) == 2:
            out[0].append((w.alliance.id, *key, *sums, min(days), max(days)))
        else:
            out[1].append((w.alliance.id, *key, *sums, sum(r.points for r in rs), min(days), max(days)))
    return sorted(out[0]), sorted(out[1])  # type: ignore[type-var]


def test_the_month_rows_follow_new_purchases_and_refunds_incrementally(world: World) -> None:
    history(world)
    incremental = _months(world)
    assert len(incremental[0]) >= 14  # seven buyers over three months
    assert incremental == _rebuilt(world)
    # the member who never bought: a purchase refunded whole, then one that stays (November)
    order, paid = world.buy(7, world.alliance.cinema, 12_000, at=datetime(2026, 11, 20, 4, tzinfo=UTC))
    world.refund(world.alliance.cinema, order, paid, at=datetime(2026, 11, 20, 6, tzinfo=UTC))
    world.buy(7, world.alliance.hotpot, 7_000, at=datetime(2026, 11, 21, 4, tzinfo=UTC))
    world.clock.set(datetime(2026, 12, 21, 5, tzinfo=UTC))
    world.container.insights.refresh(world.operator)
    after = _months(world)
    assert after != incremental
    assert after == _rebuilt(world)


def test_the_pages_counts_by_sql_equal_the_population_by_rows(world: World) -> None:
    history(world)
    a = world.alliance
    checked = 0
    with world.container.database.read() as conn:
        for as_of in (date(2026, 12, 1), date(2026, 11, 17), date(2026, 12, 20)):
            for merchant in (None, a.cinema.id):
                pop = member_queries.population(conn, a.id, as_of=as_of, merchant_id=merchant, from_rows=True)
                found = member_queries.summary(conn, a.id, as_of=as_of, merchant_id=merchant)
                facts = pop.facts.values()
                assert found.members == len(pop.facts) > 0
                assert found.segments == segment_counts(pop.scores.values())
                assert found.rfm_grid == rfm_grid(list(pop.scores.values()))
                assert found.value_cells == grid_counts(pop.cells)
                assert found.funnel == {
                    "acquired": len(pop.facts),
                    "activated": sum(1 for f in facts if f.purchase_days >= 2),
                    "retained": sum(1 for f in facts if f.days_since_last <= 30),
                    "cross_trade": sum(1 for f in facts if f.trades_visited >= 2),
                    "high_value": sum(1 for f in facts if f.monetary_fen >= 100_000),
                }
                # the member facts from the month rows, edges of a month included
                assert member_queries.population(conn, a.id, as_of=as_of, merchant_id=merchant) == pop
                checked += 1
    assert checked == 6


def test_co_visitation_by_sql_equals_the_affinities_of_every_visit(world: World) -> None:
    history(world)
    a = world.alliance
    as_of = date(2026, 11, 17)  # a year back: edges inside a month at both ends
    start = as_of - timedelta(days=recommendations.WINDOW_DAYS)
    with world.container.database.read() as conn:
        customers, both = monthly.co_visits(
            conn, a.id, start=start, end=as_of, merchants=[a.hotpot.id, a.cinema.id]
        )
        visits: dict[str, set[str]] = defaultdict(set)
        for r in RollupRepository(conn, a.id).member_days(start, as_of):
            if r.orders > 0:
                visits[r.member_id].add(r.merchant_id)
    expected = affinities(visits)
    assert {(x, y): n / customers[x] for (x, y), n in both.items()} == {
        (x, y): s for x, ys in expected.items() for y, s in ys.items()
    }
    assert both  # the two merchants share customers
    assert customers == {m: sum(1 for v in visits.values() if m in v) for m in (a.hotpot.id, a.cinema.id)}


def test_the_migration_fills_the_month_rows_of_the_daily_rows_already_there(world: World) -> None:
    history(world)
    before = _months(world)
    engine = world.container.database.engine
    command.downgrade(schema.alembic_config(engine), "insights_sales_0004")
    command.upgrade(schema.alembic_config(engine), "insights_months_0005_insights")
    assert _months(world) == before == _rebuilt(world)
    assert before[0]
