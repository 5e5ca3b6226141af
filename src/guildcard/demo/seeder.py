"""``seed``: builds the whole demo alliance through the services, on a clock it moves."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from guildcard.bootstrap import Container
from guildcard.demo import refund_requests, tiers_wallet
from guildcard.demo.activity import Story, Tally
from guildcard.demo.automation import automation_figures, open_automation, run_schedules
from guildcard.demo.coupons import DemoRewards
from guildcard.demo.insights import seed_insights
from guildcard.demo.mall_story import RewardsTally, seed_rewards
from guildcard.demo.people import seed_people
from guildcard.demo.plan import VISITS_PER_MEMBER_MONTH, Plan, Window, at_local, make_plan
from guildcard.demo.setup import SeededAlliance, build_alliance
from guildcard.demo.webhooks import seed_webhooks
from guildcard.kernel.clock import FixedClock

DEFAULT_SEED = 2026
DEFAULT_MEMBERS = 510
DEFAULT_MONTHS = 3


@dataclass(frozen=True)
class DemoOptions:
    last_day: date  # the story's last day (the CLI's default: yesterday in Shanghai)
    password: str  # every printed staff and operator login gets it
    seed: int = DEFAULT_SEED
    members: int = DEFAULT_MEMBERS
    months: int = DEFAULT_MONTHS
    visits: float = VISITS_PER_MEMBER_MONTH  # purchases per member and month


@dataclass(frozen=True)
class DemoResult:
    alliance: SeededAlliance
    plan: Plan
    tally: Tally
    seconds: float
    cpu_seconds: float  # this process's CPU time: what the seeding costs on an idle machine
    member_phone: str  # a busy member, for the member login
    password: str  # of the printed staff and operator logins
    timings: dict[str, float]  # seconds spent per kind of event
    cpu_timings: dict[str, float]  # CPU seconds per kind of event
    loyalty: dict[str, object] = field(default_factory=dict)  # tiers, paid cards, stored value (issue 13)
    rewards: dict[str, int] = field(default_factory=dict)  # coupons, stamp trails, referrals
    mall: RewardsTally | None = None  # the mall, check-ins and the lottery
    webhook_deliveries: int = 0  # the story's events delivered, signed, to the demo endpoint
    extras: dict[str, int] = field(default_factory=dict)  # what each feature's demo module reports
    insights: dict[str, Any] = field(default_factory=dict)  # seed 003's metrics of the last full month


# Called with (what is happening, steps done, steps in all).
Progress = Callable[[str, int, int], None]


def plan_for(options: DemoOptions) -> Plan:
    window = Window.of(options.last_day, options.months)
    return make_plan(options.seed, window, options.members, options.visits)


def seed(container: Container, clock: FixedClock, options: DemoOptions, progress: Progress) -> DemoResult:
    """Seed the demo into ``container``'s (migrated, empty) database; ``clock`` is its clock."""
    started, cpu = time.perf_counter(), time.process_time()
    plan = plan_for(options)
    clock.set(at_local(plan.window.first - timedelta(days=1), 9))  # the alliance opens the day before
    progress("alliance, merchants, staff", 0, 1)
    alliance = build_alliance(container, plan.window, password=options.password, seed=options.seed)
    tiers_wallet.design(container, alliance)
    open_automation(container, alliance)
    rewards = DemoRewards(container, clock, alliance)
    opened = time.perf_counter()
    rewards.open(at_local(plan.window.first, 11))  # referral settings, an inviter, invitees' first buys
    rewards_seconds = time.perf_counter() - opened
    story = Story(container, clock, alliance, plan)
    events = story.events()
    # The plan and events live until the end: keep the collector from walking them again and again.
    gc.collect()
    gc.freeze()
    total, done = len(events) + 1, 1
    progress("members and purchases", done, total)

    def step() -> None:
        nonlocal done
        done += 1
        if done % 50 == 0 or done == total:
            progress(f"{clock.now():%Y-%m-%d}", done, total)

    tally = story.run(events, step)
    loyalty = tiers_wallet.play(container, clock, alliance, list(story.member_ids.values()))
    finishing = time.perf_counter()
    rewarded = rewards.finish(list(story.member_ids.values()))  # coupons, the stamp trail, referral release
    story.seconds["rewards"] += rewards_seconds + time.perf_counter() - finishing
    mall = seed_rewards(container, clock, alliance, list(story.member_ids.values()), seed=options.seed)
    scheduled = run_schedules(container, alliance)  # before the webhooks' worker, which sends them
    delivered = seed_webhooks(container, alliance)
    extras = seed_people(container, alliance, seed=options.seed) | automation_figures(container, alliance)
    extras |= refund_requests.play(container, alliance, next(iter(story.member_ids.values())))
    extras["automation_scheduled"] = scheduled
    insights = seed_insights(container, alliance, plan.window)
    visits = Counter(p.member for p in plan.purchases)
    busiest = next(m for m, _ in visits.most_common() if m in story.member_ids)
    return DemoResult(
        alliance,
        plan,
        tally,
        time.perf_counter() - started,
        time.process_time() - cpu,
        plan.members[busiest].person.phone,
        options.password,
        dict(story.seconds),
        dict(story.cpu_seconds),
        loyalty,
        rewarded,
        mall,
        delivered,
        extras,
        insights,
    )
