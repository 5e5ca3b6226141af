"""A lottery run to its end on SQLite and PostgreSQL: committed, drawn, revealed, every draw verified;
an altered record is caught."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update
from tests.integration.rewards.mall_world import (
    ALLIANCE,
    OPERATOR,
    SYSTEM,
    make_world,
    member,
    prize_coupon,
)
from typer.testing import CliRunner

from guildcard.cli.main import app
from guildcard.ledger.domain import entries as chart
from guildcard.rewards import mall_jobs
from guildcard.rewards.domain.lottery import Outcome, Prize, PrizeKind, commitment, table_hash
from guildcard.rewards.domain.lottery_errors import DrawLimitReached, LotteryNotOpen, SeedNotRevealable
from guildcard.rewards.handlers.lottery import (
    CreateLotteryCampaign,
    DrawLottery,
    EarnLotteryDraws,
    RevealLotterySeed,
)
from guildcard.rewards.queries.lottery import LotteryQueries
from guildcard.rewards.storage.lottery_tables import lottery_draws

PRIZES = (
    Prize("p1", "100 积分", PrizeKind.POINTS, weight=30, stock=5, points=100),
    Prize("p2", "10 积分", PrizeKind.POINTS, weight=50, stock=None, points=10),
    Prize("p3", "电影券", PrizeKind.COUPON, weight=5, stock=1, ref="tpl_movie"),
    Prize("p0", "谢谢参与", PrizeKind.NONE, weight=15),
)
MEMBERS = [f"mem_{n}" for n in range(6)]


@pytest.fixture
def world(database):
    w = make_world(database)
    for m in MEMBERS:
        w.give_points(m, 1_000)
    return w


def publish(world, **changes):
    """Publish a campaign; a prize naming ``tpl_movie`` gets a real coupon template."""
    prizes = changes.pop("prizes", PRIZES)
    if any(p.ref == "tpl_movie" for p in prizes):
        template_id = prize_coupon(world)
        prizes = tuple(replace(p, ref=template_id) if p.ref == "tpl_movie" else p for p in prizes)
    changes["prizes"] = prizes
    values = {
        "name": "双十二抽奖", "starts_at": world.clock.now() + timedelta(hours=1),
        "ends_at": world.clock.now() + timedelta(days=3), "prizes": PRIZES, "cost_points": 20,
        "free_per_day": 1, "per_day_limit": 5,
    }  # fmt: skip
    values.update(changes)
    return world.run(OPERATOR, CreateLotteryCampaign(**values))


def queries(world, work):
    return world.read(lambda c: work(LotteryQueries(c, ALLIANCE)))


def test_a_lottery_run_to_its_end_every_draw_verified_after_the_seed_is_revealed(world):
    campaign = publish(world)
    assert campaign.table_hash == table_hash(campaign.prizes)
    assert len(campaign.commitment) == 64
    assert campaign.revealed_seed is None
    with pytest.raises(LotteryNotOpen):
        world.run(member(MEMBERS[0]), DrawLottery(campaign_id=campaign.id))
    world.clock.advance(timedelta(hours=2))
    results = []
    for m in MEMBERS:
        for _ in range(5):
            results.append(world.run(member(m), DrawLottery(campaign_id=campaign.id)))
    with pytest.raises(DrawLimitReached):
        world.run(member(MEMBERS[0]), DrawLottery(campaign_id=campaign.id))
    # One free draw a day, then 20 points each.
    assert [r.cost_points for r in results[:5]] == [0, 20, 20, 20, 20]
    won_points = sum(r.points_won for r in results)
    spent = sum(r.cost_points for r in results)
    assert sum(world.balance(m).available for m in MEMBERS) == 6_000 - spent + won_points
    assert world.account(chart.PLATFORM_GRANTS) == spent - won_points  # entry costs go back to grants
    stock = queries(world, lambda q: q.stock(campaign.id))
    assert stock["p1"][1] <= 5
    assert stock["p3"][1] <= 1
    assert sum(1 for r in results if r.prize_id == "p1") == stock["p1"][1]
    # Before the end the seed stays secret; after it, anyone recomputes every draw.
    with pytest.raises(SeedNotRevealable):
        world.run(SYSTEM, RevealLotterySeed(campaign_id=campaign.id))
    world.clock.advance(timedelta(days=3))
    revealed = world.run(SYSTEM, RevealLotterySeed(campaign_id=campaign.id))
    assert commitment(campaign.id, revealed.revealed_seed, revealed.table_hash) == campaign.commitment
    report = queries(world, lambda q: q.verify(campaign.id))
    assert report.draws == 30
    assert report.problems == ()
    assert world.violations() == []


def test_an_altered_draw_record_fails_verification(world):
    campaign = publish(world)
    world.clock.advance(timedelta(hours=2))
    for m in MEMBERS[:3]:
        world.run(member(m), DrawLottery(campaign_id=campaign.id))
    world.clock.advance(timedelta(days=3))
    assert mall_jobs.run_due(world.container.bus, ALLIANCE, world.clock.now()) == (0, 1)  # the job reveals
    assert mall_jobs.run_due(world.container.bus, ALLIANCE, world.clock.now()) == (0, 0)
    assert queries(world, lambda q: q.verify(campaign.id)).holds
    victim = queries(world, lambda q: q.draws(campaign.id))[0]
    other = next(p.id for p in PRIZES if p.id != victim.chosen)
    with world.container.database.engine.begin() as conn:
        conn.execute(update(lottery_draws).where(lottery_draws.c.id == victim.id).values(chosen=other))
    report = queries(world, lambda q: q.verify(campaign.id))
    assert not report.holds
    assert {draw for draw, _ in report.problems} == {victim.id}


def test_earned_draws_are_used_after_the_free_one_and_out_of_stock_falls_back_to_no_prize(world):
    only_cinema = (Prize("p3", "电影券", PrizeKind.COUPON, weight=1, stock=1, ref="tpl_movie"),)
    campaign = publish(world, prizes=only_cinema)
    world.run(SYSTEM, EarnLotteryDraws(campaign_id=campaign.id, member_id=MEMBERS[0], draws=1))
    world.clock.advance(timedelta(hours=2))
    first, second, third = (
        world.run(member(MEMBERS[0]), DrawLottery(campaign_id=campaign.id)) for _ in range(3)
    )
    assert (first.outcome, first.cost_points) == (Outcome.WON, 0)
    assert (second.outcome, second.cost_points) == (Outcome.OUT_OF_STOCK, 0)  # the earned draw
    assert (third.outcome, third.cost_points) == (Outcome.OUT_OF_STOCK, 20)
    assert third.prize_name == "谢谢参与"


def test_guildcard_lottery_verify_exits_non_zero_when_a_stored_draw_is_altered(world, monkeypatch):
    campaign = publish(world)
    world.clock.advance(timedelta(hours=2))
    for m in MEMBERS[:2]:
        world.run(member(m), DrawLottery(campaign_id=campaign.id))
    world.clock.advance(timedelta(days=3))
    world.run(SYSTEM, RevealLotterySeed(campaign_id=campaign.id))
    monkeypatch.setenv("GUILDCARD_DATABASE_URL", world.container.database.url.render_as_string(False))
    runner = CliRunner()
    ok = runner.invoke(app, ["lottery", "verify", campaign.id])
    assert ok.exit_code == 0, ok.output
    assert "2 draws verified" in ok.output
    victim = queries(world, lambda q: q.draws(campaign.id))[1]
    with world.container.database.engine.begin() as conn:
        conn.execute(update(lottery_draws).where(lottery_draws.c.id == victim.id).values(stock_before=99))
    bad = runner.invoke(app, ["lottery", "verify", campaign.id])
    assert bad.exit_code == 1
    assert victim.id in bad.output
