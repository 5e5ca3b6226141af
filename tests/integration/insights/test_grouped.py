"""The dashboards' SQL GROUP BY path gives the figures the definitions (Python over the rows) give."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from tests.integration.insights.world import World, make_world

from guildcard.db.engine import Database
from guildcard.insights.domain.windows import Grain, parse_period, window_of
from guildcard.insights.queries import acquisition
from guildcard.insights.queries import members as member_queries
from guildcard.insights.queries import metrics as metric_queries
from guildcard.insights.queries.scope import Scope, ScopeKind, merchant_names


@pytest.fixture
def world(database: Database):
    w = make_world(database, members=8)
    yield w
    w.container.close()


def history(w: World) -> None:
    """Forty purchases of eight members at two merchants over ten weeks, a refund, walk-ins, a total."""
    rng = random.Random(16)
    merchants = [w.alliance.hotpot, w.alliance.cinema]
    moments = sorted(
        datetime(2026, 10, 1, 3, tzinfo=UTC) + timedelta(days=rng.randrange(70), hours=rng.randrange(8))
        for _ in range(40)
    )
    orders = []
    for n, at in enumerate(moments):
        merchant = merchants[rng.random() < 0.4]
        items = rng.choice([None, 1, 3]) if n % 2 else None
        order, _ = w.buy(rng.randrange(7), merchant, rng.randint(1_000, 30_000), at=at, items=items)
        orders.append((merchant, order, at))
    merchant, order, at = orders[5]
    w.refund(merchant, order, 500, at=at + timedelta(hours=1))
    hotpot, owner = w.alliance.hotpot, w.owner(w.alliance.hotpot)
    insights = w.container.insights
    w.clock.set(datetime(2026, 11, 3, 5, tzinfo=UTC))
    insights.record_walk_in(owner, store_id=hotpot.store_ids[0], order_no="W-1", amount_fen=9_000, items=2)
    insights.report_daily_total(
        owner, store_id=hotpot.store_ids[0], day=date(2026, 11, 12), orders=9, sales_fen=200_000
    )
    w.clock.set(datetime(2026, 12, 20, 5, tzinfo=UTC))
    insights.refresh(w.operator)


def test_every_metric_of_every_window_and_scope_is_the_same_by_sql_and_by_rows(world: World) -> None:
    history(world)
    a = world.alliance
    with world.container.database.read() as conn:
        trade_of = {m: trade for m, (_, trade) in merchant_names(conn, a.id).items()}
    scopes = [
        Scope(),
        Scope(ScopeKind.MERCHANT, a.hotpot.id),
        Scope(ScopeKind.STORE, a.cinema.store_ids[0]),
        Scope(ScopeKind.TRADE, trade_of[a.hotpot.id]),
    ]
    lasts = [(parse_period("2026-12"), 4), (window_of(date(2026, 12, 7), Grain.WEEK), 10)]
    compared = 0
    with world.container.database.read() as conn:
        for scope in scopes:
            for last, count in lasts:
                by_sql = metric_queries.series(conn, a.id, last, count=count, scope=scope)
                by_rows = metric_queries.series_from_rows(conn, a.id, last, count=count, scope=scope)
                assert by_sql == by_rows, (scope, last)
                compared += len(by_sql)
        alliance = metric_queries.series(conn, a.id, parse_period("2026-11"), count=2)
    assert compared == 4 * (4 + 10)
    oct_, nov = alliance  # not a comparison of two empty answers
    assert oct_.active_members >= 5
    assert nov.churn_rate is not None
    assert nov.reporting_stores == 1
    assert nov.member_sales_share is not None
    assert 0 < nov.member_sales_share < 1


def test_cohorts_and_member_facts_are_the_same_by_sql_and_by_rows(world: World) -> None:
    history(world)
    a = world.alliance
    with world.container.database.read() as conn:
        by_sql = acquisition.cohorts(conn, a.id, last_day=date(2026, 12, 19), months=4)
        by_rows = acquisition.cohorts_from_rows(conn, a.id, last_day=date(2026, 12, 19), months=4)
        pops = [
            member_queries.population(conn, a.id, as_of=date(2026, 12, 1), merchant_id=m, from_rows=rows)
            for m in (None, a.cinema.id)
            for rows in (False, True)
        ]
    assert by_sql == by_rows
    assert by_sql.by_registration[0].size == 8  # everyone registered in October
    assert sum(c.size for c in by_sql.by_first_merchant) == 7  # the eighth member never bought
    assert pops[0] == pops[1]
    assert pops[2] == pops[3]
    assert len(pops[0].facts) == 7
    assert pops[2].facts != pops[0].facts  # the cinema's customers, their figures there
