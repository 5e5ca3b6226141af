"""A seeded alliance for the counter's benchmark and API tests, built through the real services.

Two merchants of different trades, admitted as in the demo (``setup.admit_merchant``: application,
review, stores, manager, a cashier per store, a POS key with ``counter:write``, a contract in
force from the clock's business day): a hot-pot restaurant (1 point per yuan, 5 % member
discount, two stores) and a cinema (2 points per yuan, no discount). Then ``members`` members
join through the members service (one-time code — the development fixed code —, sign-in,
consent to be found by phone at the counter: ``joining.join``), and each gets an opening
balance awarded by one of the merchants (``LedgerService.award_many``, 500 awards a command),
so that purchases can pay part with points.

What a member costs (measured on PostgreSQL): three commands (the code, the sign-in that registers,
the consent), i.e. five transactions (two of them the members service's "does this alliance
exist" read, one per request), 29 statements, three commits, and a pool pre-ping per checkout:
about 10 ms of this process's CPU, 17 ms of wall time one after another on an idle two-core
machine. ``JOIN_THREADS`` threads overlap the round trips (about twice as fast).

It needs development settings with ``fixed_otp`` (``GUILDCARD_FIXED_OTP``). What it returns holds
real credentials: the POS keys' secrets and, with ``sessions=True``, staff and operator sessions
(Argon2 makes each password cost a quarter of a second, so the benchmark asks for none but the
admin's).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from guildcard.bootstrap import Container
from guildcard.demo.joining import join
from guildcard.demo.merchants import MERCHANTS, TRADES
from guildcard.demo.setup import ADMIN_LOGIN, SeededMerchant, admit_merchant, open_alliance
from guildcard.kernel.clock import business_date
from guildcard.ledger import chart
from guildcard.ledger.bulk import AwardRequest
from guildcard.members.domain.model import ConsentKind

BENCH_CODE = "bench"
TERMS_VERSION = "2026-09"
OPENING_POINTS = 5_000
AWARDS_PER_COMMAND = 500
JOIN_THREADS = 4
_BY_SLUG = {spec.slug: spec for spec in MERCHANTS}
# Terms: points per yuan, issue price, reimbursement, commission, member discount, entry fee.
HOTPOT = replace(_BY_SLUG["hotpot"], terms=("1", "1.0", "0.9", "0.03", "0.05", 200000))
CINEMA = replace(_BY_SLUG["cinema"], terms=("2", "0.9", "0.8", "0.02", "0", 300000))

# Called with (what is happening, steps done, steps in all).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BenchMerchant:
    id: str
    name: str
    store_ids: list[str]
    pos_key: str  # bearer credential of the first store's POS key
    sessions: dict[str, str] = field(default_factory=dict)  # role (owner, cashier) -> bearer token


@dataclass(frozen=True)
class BenchAlliance:
    id: str
    code: str
    admin: str  # the admin operator's bearer token
    hotpot: BenchMerchant
    cinema: BenchMerchant
    member_ids: list[str]
    phones: list[str]  # same order as member_ids; every one consents to phone look-up
    opening_points: int
    timings: dict[str, float]  # seconds per step: alliance, members, balances

    @property
    def merchants(self) -> tuple[BenchMerchant, BenchMerchant]:
        return self.hotpot, self.cinema


def bench_phone(i: int) -> str:
    """Member ``i``'s mobile number (valid, national format)."""
    return f"1390{i:07d}"


def seed_bench_alliance(
    container: Container,
    *,
    members: int,
    password: str,
    sessions: bool = True,
    opening_points: int = OPENING_POINTS,
    progress: Progress | None = None,
) -> BenchAlliance:
    """Seed the alliance into ``container``'s migrated database (which holds no alliance ``bench``)."""
    services = container.alliance
    assert services is not None
    timings: dict[str, float] = {}
    started = time.perf_counter()
    alliance_id, admin = open_alliance(
        container, code=BENCH_CODE, name="基准测试联盟", city="上海", password=password
    )
    services.alliances.set_categories(admin, TRADES)
    today = business_date(container.clock.now())
    seeded = [
        admit_merchant(
            container,
            admin,
            n,
            spec,
            alliance_code=BENCH_CODE,
            contact="王建国",
            phone=f"1380000{n:04d}",
            effective_from=today,
        )
        for n, spec in enumerate((HOTPOT, CINEMA))
    ]

    def login(login: str) -> str:
        session = services.auth.login(
            alliance=BENCH_CODE, login=login, password=password, client_ip="127.0.0.1"
        )
        return session.token

    def merchant(m: SeededMerchant) -> BenchMerchant:
        tokens = {}
        if sessions:
            for role in ("owner", "cashier"):
                services.auth.activate(token=m.activation_tokens[role], password=password)
                tokens[role] = login(m.logins[role])
        return BenchMerchant(m.id, m.spec.name, m.store_ids, m.pos_key, tokens)

    hotpot, cinema = (merchant(m) for m in seeded)
    admin_token = login(ADMIN_LOGIN)
    timings["alliance"] = time.perf_counter() - started

    started = time.perf_counter()
    phones = [bench_phone(i) for i in range(members)]

    def register(i: int) -> str:
        signed = join(
            container, alliance_id, phone=phones[i], client_ip=f"198.18.{i // 250}.{i % 250 + 1}",
            terms_version=TERMS_VERSION, consents=(ConsentKind.PHONE_LOOKUP,),
        )  # fmt: skip
        if progress and (i + 1) % 250 == 0:
            progress("members", i + 1, members)
        return signed.member.member_id

    # Each join is three commands of a few round trips each: a few threads keep the database busy.
    with ThreadPoolExecutor(JOIN_THREADS) as pool:
        member_ids = list(pool.map(register, range(members)))
    timings["members"] = time.perf_counter() - started

    started = time.perf_counter()
    if opening_points:
        _opening_balances(container, alliance_id, (hotpot, cinema), member_ids, opening_points)
    timings["balances"] = time.perf_counter() - started
    return BenchAlliance(
        alliance_id, BENCH_CODE, admin_token, hotpot, cinema, member_ids, phones, opening_points, timings
    )


def _opening_balances(
    container: Container,
    alliance_id: str,
    merchants: tuple[BenchMerchant, BenchMerchant],
    member_ids: list[str],
    points: int,
) -> None:
    """Each member's opening balance, awarded by one of the merchants (alternately)."""
    requests = [
        AwardRequest(
            member_id=member_id,
            issuer=chart.merchant_issued(merchants[i % 2].id),
            amount=points,
            idempotency_key=f"bench-opening-{member_id}",
        )
        for i, member_id in enumerate(member_ids)
    ]
    ledger = container.ledger()
    for start in range(0, len(requests), AWARDS_PER_COMMAND):
        ledger.award_many(alliance_id, requests[start : start + AWARDS_PER_COMMAND])
