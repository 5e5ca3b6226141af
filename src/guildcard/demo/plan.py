"""The demo's story as data: who joins when, and every purchase, refund and backfill (pure).

Everything comes from one ``random.Random(seed)``, so the same seed and window give the same
story. Times are UTC instants chosen in Asia/Shanghai business hours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from guildcard.demo.calendar import day_factor
from guildcard.demo.merchants import HOURS, MERCHANTS, MerchantSpec
from guildcard.demo.names import Person, people
from guildcard.kernel.clock import BUSINESS_TZ

# Purchases per member and month, on average. Sized so that seeding 510 members stays under a
# minute on two cores: a counter commit costs 10-15 ms of CPU on SQLite, a registration ~15 ms.
VISITS_PER_MEMBER_MONTH = 1.3
REFUND_SHARE = 0.025
POINTS_PAY_SHARE = 0.3  # visits where the member offers to pay part with points
LAUNCH_DAYS = 21  # the launch phase: points earned then expire after 30 days
BACKFILL_APPROVAL_FEN = 50_000  # loyalty's default: above this the owner approves


@dataclass(frozen=True)
class Window:
    first: date
    last: date  # inclusive

    @classmethod
    def of(cls, last: date, months: int) -> Window:
        """``months`` calendar months, the last one up to ``last`` (the first is a full month)."""
        if months < 2:
            raise ValueError("the demo needs at least 2 months (the first is settled)")
        year, month = last.year, last.month - (months - 1)
        while month < 1:
            year, month = year - 1, month + 12
        return cls(date(year, month, 1), last)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def settled_month(self) -> str:
        return f"{self.first.year}-{self.first.month:02d}"

    def next_month_start(self) -> date:
        return (self.first.replace(day=28) + timedelta(days=4)).replace(day=1)


def at_local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), BUSINESS_TZ)


@dataclass(frozen=True)
class MemberPlan:
    person: Person
    joined_at: datetime
    sharing: bool
    phone_lookup: bool
    marketing: bool
    birthday: date


@dataclass(frozen=True)
class Purchase:
    at: datetime
    member: int
    merchant: int
    store: int
    amount_fen: int
    offer_points: bool


@dataclass(frozen=True)
class Refund:
    at: datetime
    purchase: int  # index into Plan.purchases
    share: float  # of the payable amount


@dataclass(frozen=True)
class Backfill:
    at: datetime  # when the cashier records it
    purchased_at: datetime
    member: int
    merchant: int
    store: int
    amount_fen: int


@dataclass
class Plan:
    window: Window
    members: list[MemberPlan]
    purchases: list[Purchase]
    refunds: list[Refund] = field(default_factory=list)
    backfills: list[Backfill] = field(default_factory=list)


def make_plan(seed: int, window: Window, members: int, visits: float = VISITS_PER_MEMBER_MONTH) -> Plan:
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    member_plans = [_member(rng, p, window) for p in people(rng, members)]
    purchases = _purchases(rng, window, member_plans, visits)
    refunds = _refunds(rng, window, purchases)
    backfills = _backfills(rng, window, member_plans)
    return Plan(window, member_plans, purchases, refunds, backfills)


def _member(rng: random.Random, person: Person, window: Window) -> MemberPlan:
    days = window.days
    launch = days[: min(7, len(days))]
    # A crowd joins in the launch week; the rest over the first two thirds of the window.
    day = rng.choice(launch) if rng.random() < 0.45 else rng.choice(days[: max(1, len(days) * 2 // 3)])
    joined_at = at_local(day, rng.randint(10, 20), rng.randrange(60), rng.randrange(60))
    birthday = date(rng.randint(1965, 2005), rng.randint(1, 12), rng.randint(1, 28))
    return MemberPlan(
        person,
        joined_at,
        sharing=rng.random() < 0.45,
        phone_lookup=rng.random() < 0.35,
        marketing=rng.random() < 0.5,
        birthday=birthday,
    )


def _purchases(
    rng: random.Random, window: Window, members: list[MemberPlan], visits: float
) -> list[Purchase]:
    traffic = [m.traffic for m in MERCHANTS]
    activity = [rng.lognormvariate(0, 0.8) for _ in members]
    # Each member has 3 to 6 favourite merchants; a few visits go elsewhere.
    pools: list[list[int]] = [[] for _ in MERCHANTS]
    for i in range(len(members)):
        for m in set(rng.choices(range(len(MERCHANTS)), weights=traffic, k=rng.randint(3, 6))):
            pools[m].append(i)
    everyone = list(range(len(members)))
    weights = [[activity[i] for i in pool] for pool in pools]
    days = window.days
    demand = {
        (d, m): MERCHANTS[m].traffic * day_factor(MERCHANTS[m].trade, d)
        for d in days
        for m in range(len(MERCHANTS))
    }
    scale = visits * len(members) * len(days) / 30.4 / sum(demand.values())
    found: list[Purchase] = []
    last_visit: dict[int, datetime] = {}
    for d in days:
        for m, spec in enumerate(MERCHANTS):
            expected = demand[(d, m)] * scale
            count = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(count):
                at = _visit_time(rng, d, spec)
                member = _pick_member(rng, pools[m], weights[m], everyone=everyone, members=members, at=at)
                if (
                    member is None
                    or abs((at - last_visit.get(member, at - timedelta(1))).total_seconds()) < 120
                ):
                    continue
                last_visit[member] = at
                found.append(
                    Purchase(at, member, m, rng.randrange(len(spec.stores)), _amount(rng, spec, d),
                             rng.random() < POINTS_PAY_SHARE)
                )  # fmt: skip
    found.sort(key=lambda p: p.at)
    return found


def _visit_time(rng: random.Random, day: date, spec: MerchantSpec) -> datetime:
    hours = HOURS[spec.hours]
    hour = rng.choices(list(hours), weights=list(hours.values()))[0]
    return at_local(day, hour, rng.randrange(60), rng.randrange(60))


def _pick_member(
    rng: random.Random,
    pool: list[int],
    weights: list[float],
    *,
    everyone: list[int],
    members: list[MemberPlan],
    at: datetime,
) -> int | None:
    for _ in range(12):
        member = (
            rng.choices(pool, weights=weights)[0] if pool and rng.random() < 0.9 else rng.choice(everyone)
        )
        if members[member].joined_at < at - timedelta(minutes=5):
            return member
    return None


def _amount(rng: random.Random, spec: MerchantSpec, day: date) -> int:
    low, mode, high = spec.ticket_yuan
    if rng.random() < 0.03:  # the occasional big ticket: a yearly gym card, a sofa, a party
        return int(rng.uniform(mode * 3, high)) * 100
    yuan = rng.triangular(low, min(high, mode * 2.2), mode)
    cents = (
        0 if spec.trade in {"cinema", "fitness", "beauty", "home", "apparel", "kids"} else rng.choice((0, 50))
    )
    return max(100, int(yuan) * 100 + cents)


def _refunds(rng: random.Random, window: Window, purchases: list[Purchase]) -> list[Refund]:
    """About 2.5 % of purchases are refunded (at least a few, so a small demo has some)."""
    end = at_local(window.last, 23, 0)
    count = min(len(purchases), max(3, round(len(purchases) * REFUND_SHARE)))
    found = []
    for i in sorted(rng.sample(range(len(purchases)), count)):
        at = purchases[i].at + timedelta(minutes=rng.choice((5, 30, 90, 60 * 26, 60 * 24 * 3)))
        if at < end:
            found.append(Refund(at, i, 1.0 if rng.random() < 0.7 else rng.choice((0.3, 0.5, 0.6))))
    return sorted(found, key=lambda r: r.at)


def _backfills(rng: random.Random, window: Window, members: list[MemberPlan]) -> list[Backfill]:
    """Purchases made without showing the card, recorded later from the receipt (by phone)."""
    found = []
    candidates = [i for i, m in enumerate(members) if m.phone_lookup]
    for n in range(max(2, len(members) // 60)):
        if not candidates:
            break
        member = rng.choice(candidates)
        m = rng.randrange(len(MERCHANTS))
        spec = MERCHANTS[m]
        joined = members[member].joined_at
        purchased_at = joined + timedelta(days=rng.uniform(0.2, 20))
        at = purchased_at + timedelta(days=rng.uniform(1, 8))
        if at >= at_local(window.last, 22):
            continue
        # Every fourth backfill is large enough to need the owner's approval.
        amount = BACKFILL_APPROVAL_FEN + 28_800 if n % 4 == 3 else _amount(rng, spec, purchased_at.date())
        found.append(
            Backfill(
                at,
                purchased_at,
                member,
                m,
                rng.randrange(len(spec.stores)),
                min(amount, 49_900) if n % 4 != 3 else amount,
            )
        )
    return sorted(found, key=lambda b: b.at)
