"""Two devices and a double tap at once on PostgreSQL: one check-in, one grant."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.integration.rewards.mall_world import ALLIANCE, make_world, member

from guildcard.rewards.handlers.checkin import CheckIn
from guildcard.rewards.queries.checkin import CheckinQueries

TAPS = 24


def test_twenty_four_simultaneous_check_ins_of_one_member_count_once(pg_database):
    world = make_world(pg_database)
    barrier = threading.Barrier(TAPS)

    def tap(_n: int) -> bool:
        barrier.wait()
        return world.run(member("mem_lily"), CheckIn()).already

    with ThreadPoolExecutor(max_workers=TAPS) as pool:
        already = list(pool.map(tap, range(TAPS)))

    assert already.count(False) == 1
    assert world.balance("mem_lily").available == 5
    assert world.read(lambda c: CheckinQueries(c, ALLIANCE).count()) == 1
    assert world.violations() == []
