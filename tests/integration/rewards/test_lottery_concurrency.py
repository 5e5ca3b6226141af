"""No over-issue on PostgreSQL: 200 simultaneous draws with 3 prizes left give at most 3 winners."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tests.integration.rewards.mall_world import ALLIANCE, OPERATOR, SYSTEM, make_world, member

from guildcard.rewards.domain.lottery import Outcome, Prize, PrizeKind
from guildcard.rewards.handlers.lottery import CreateLotteryCampaign, DrawLottery, RevealLotterySeed
from guildcard.rewards.queries.lottery import LotteryQueries

DRAWERS = 200


def test_two_hundred_draws_for_the_last_three_prizes_give_at_most_three_winners(pg_database):
    world = make_world(pg_database)
    prizes = (
        Prize("p1", "500 积分", PrizeKind.POINTS, weight=99, stock=3, points=500),
        Prize("p0", "谢谢参与", PrizeKind.NONE, weight=1),
    )
    campaign = world.run(
        OPERATOR,
        CreateLotteryCampaign(
            name="限量大奖", starts_at=world.clock.now() + timedelta(minutes=1),
            ends_at=world.clock.now() + timedelta(days=1), prizes=prizes, free_per_day=1,
        ),
    )  # fmt: skip
    world.clock.advance(timedelta(minutes=5))
    barrier = threading.Barrier(16)

    def draw(n: int) -> Outcome:
        if n < 16:
            barrier.wait()
        return world.run(member(f"mem_{n:03d}"), DrawLottery(campaign_id=campaign.id)).outcome

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(draw, range(DRAWERS)))

    assert outcomes.count(Outcome.WON) == 3
    assert outcomes.count(Outcome.OUT_OF_STOCK) + outcomes.count(Outcome.NO_PRIZE) == DRAWERS - 3
    winners = [f"mem_{n:03d}" for n, o in enumerate(outcomes) if o is Outcome.WON]
    assert [world.balance(m).available for m in winners] == [500] * 3
    world.clock.advance(timedelta(days=1))
    world.run(SYSTEM, RevealLotterySeed(campaign_id=campaign.id))
    report = world.read(lambda c: LotteryQueries(c, ALLIANCE).verify(campaign.id))
    assert report.draws == DRAWERS
    assert report.problems == ()
    assert world.violations() == []
