"""Check-in stories on SQLite and PostgreSQL: a 7-day streak and its milestone, a make-up day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.integration.rewards.mall_world import ALLIANCE, OPERATOR, make_world, member

from guildcard.kernel.clock import business_date
from guildcard.ledger.domain import entries as chart
from guildcard.rewards.domain.checkin_errors import MakeupLimitReached, MakeupNotAllowed
from guildcard.rewards.handlers.checkin import CheckIn, MakeupCheckin, SetCheckinRules
from guildcard.rewards.queries.checkin import CheckinQueries

LILY = "mem_lily"


@pytest.fixture
def world(database):
    w = make_world(database)
    w.run(OPERATOR, SetCheckinRules(changes={
        "base_points": 5, "continuous": {"3": 10, "7": 30}, "cumulative": {"10": 50},
        "makeup_price_points": 20, "makeup_per_month": 1,
    }))  # fmt: skip
    return w


def calendar(world, today):
    return world.read(lambda c: CheckinQueries(c, ALLIANCE).calendar(LILY, today))


def test_a_seven_day_streak_reaches_its_milestone_and_a_double_tap_counts_once(world):
    earned = []
    for _ in range(7):
        earned.append(world.run(member(LILY), CheckIn()).points)
        again = world.container.bus.execute(member(LILY), CheckIn())
        assert again.value.already
        world.clock.advance(timedelta(days=1))
    assert earned == [5, 5, 15, 5, 5, 5, 35]
    assert world.balance(LILY).available == sum(earned)
    assert world.account(chart.PLATFORM_GRANTS) == -sum(earned)
    today = business_date(world.clock.now())
    view = calendar(world, today)
    assert (view.streak, view.checked_today, view.month_count) == (7, False, 7)
    assert view.today_reward.points == 5  # day 8: the table starts again
    assert (view.next.kind, view.next.day, view.next.days_to_go) == ("continuous", 3, 3)
    assert world.violations() == []


def test_a_missed_day_breaks_the_streak_and_a_make_up_joins_it_again_for_points(world):
    world.give_points(LILY, 100)
    world.run(member(LILY), CheckIn())  # Dec 1
    world.clock.advance(timedelta(days=2))
    third = world.run(member(LILY), CheckIn())  # Dec 3: Dec 2 missed
    assert third.streak == 1
    made = world.run(member(LILY), MakeupCheckin(day=date(2026, 12, 2)))
    assert (made.streak, made.makeup_cost, made.points) == (2, 20, 5)
    view = calendar(world, date(2026, 12, 3))
    assert view.streak == 3
    assert [d.day.day for d in view.days if d.makeup] == [2]
    assert view.makeups_left == 0
    world.clock.advance(timedelta(days=1))
    assert world.run(member(LILY), CheckIn()).streak == 4
    world.clock.advance(timedelta(days=2))
    with pytest.raises(MakeupLimitReached):
        world.run(member(LILY), MakeupCheckin(day=date(2026, 12, 5)))
    with pytest.raises(MakeupNotAllowed):
        world.run(member(LILY), MakeupCheckin(day=date(2026, 11, 30)))
    assert world.balance(LILY).available == 100 - 20 + 4 * 5  # four days of 5, one make-up price
    assert world.violations() == []
