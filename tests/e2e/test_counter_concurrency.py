"""Contention at the counter over real HTTP: ``guildcard serve`` on the real bootstrap.

Two workers, as production runs it: each with its thread pool and its 10 + 10 pooled connections;
neither may be killed and respawned by uvicorn's supervisor on the way (a start-up slower than
its health check did that, forever, on a loaded machine).

The bench alliance is seeded through the services into a fresh database; the requests come from
as many concurrent clients as there are requests, each with the hot-pot's POS key.

- 40 identical purchases on one order number: exactly one purchase; every other answer is the
  same receipt (200, ``replayed``) or a clean refusal (409/503 with ``Retry-After``), never a 500.
- 200 purchases (distinct order numbers) that each pay with points of ONE member: every answer is
  a receipt, a refusal for too few points, or a 503 the client retries; the balance never goes
  below zero and equals the opening balance minus the points used plus the points earned at once;
  ``guildcard ledger verify`` stays clean.
- 30 concurrent refunds of one purchase (10 refund numbers × 3 copies, each for a third of it):
  at most the purchase is refunded, each refund number at most once.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.conftest import _require
from tests.support import postgres
from tests.support.server import LiveServer, run_cli, server_env, start_server

from guildcard.bootstrap import bootstrap
from guildcard.db import schema
from guildcard.demo.bench_alliance import BenchAlliance, seed_bench_alliance
from guildcard.settings import Settings

FIXED_OTP = "246810"
PURCHASES = "/api/v1/counter/purchases"
REFUNDS = "/api/v1/counter/refunds"
PREVIEWS = "/api/v1/counter/previews"
WORKERS = ("--workers", "2")


@dataclass
class Till:
    server: LiveServer
    env: dict[str, str]
    alliance: BenchAlliance

    @property
    def store(self) -> str:
        return self.alliance.hotpot.store_ids[0]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.alliance.hotpot.pos_key}"}


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def till(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Till]:
    data_dir = tmp_path_factory.mktemp(f"contention-{request.param}")
    if request.param == "postgresql":
        _require(postgres.server_available(), "PostgreSQL at 127.0.0.1:5432")
        url = postgres.create_database("contention")
    else:
        url = f"sqlite:///{data_dir / 'guildcard.db'}"
    env = server_env(data_dir, GUILDCARD_DATABASE_URL=url, GUILDCARD_FIXED_OTP=FIXED_OTP)
    container = bootstrap(Settings(env="development", database_url=url, fixed_otp=FIXED_OTP))
    try:
        schema.upgrade(container.database.engine)
        alliance = seed_bench_alliance(
            container, members=4, password=secrets.token_urlsafe(12), sessions=False
        )
    finally:
        container.close()
    server = start_server(env, data_dir / "server.log", args=WORKERS, timeout=300)
    try:
        yield Till(server, env, alliance)
    finally:
        server.stop()
        if request.param == "postgresql":
            postgres.drop_database(url)


def _all_at_once(till: Till, requests: list[tuple[str, dict[str, Any]]]) -> list[httpx.Response]:
    """Every request on its own connection, released together."""

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=till.server.base_url, limits=limits, timeout=60) as http:
            gate = asyncio.Event()

            async def one(path: str, body: dict[str, Any]) -> httpx.Response:
                await gate.wait()
                return await http.post(path, json=body, headers=till.headers)

            tasks = [asyncio.create_task(one(path, body)) for path, body in requests]
            await asyncio.sleep(0.2)
            gate.set()
            return list(await asyncio.gather(*tasks))

    # Its own thread and event loop: a browser test earlier in this worker may leave one running here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _retrying(till: Till, path: str, body: dict[str, Any], response: httpx.Response) -> httpx.Response:
    """What a POS does with a 503 + ``Retry-After``: the same request again, until it is answered."""
    for _ in range(10):
        if response.status_code != 503:
            return response
        assert response.headers.get("retry-after"), response.text
        response = httpx.post(f"{till.server.base_url}{path}", json=body, headers=till.headers, timeout=60)
    return response


def _balance(till: Till, phone: str) -> int:
    r = httpx.post(
        f"{till.server.base_url}{PREVIEWS}",
        json={"store_id": till.store, "phone": phone, "order_no": "BALANCE-ONLY", "amount_fen": 100},
        headers=till.headers,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return int(r.json()["balance"])


def _no_server_error(till: Till, responses: list[httpx.Response]) -> Counter[int]:
    statuses = Counter(r.status_code for r in responses)
    assert not [s for s in statuses if s >= 500 and s != 503], (statuses, till.server.log()[-3000:])
    for r in responses:
        assert r.headers["content-type"].startswith(
            "application/json" if r.is_success else "application/problem"
        )
        if r.status_code == 503:
            assert r.headers.get("retry-after"), r.text
    return statuses


def test_forty_identical_purchases_on_one_order_make_one_purchase(till):
    phone = till.alliance.phones[0]
    body = {"store_id": till.store, "phone": phone, "order_no": "SAME-ORDER-1", "amount_fen": 12800}
    responses = _all_at_once(till, [(PURCHASES, body)] * 40)
    statuses = _no_server_error(till, responses)
    assert set(statuses) <= {200, 201, 409, 503}, statuses
    created = [r for r in responses if r.status_code == 201]
    assert len(created) == 1, statuses
    receipt = created[0].json()
    for r in responses:
        if r.status_code == 200:
            assert r.json() | {"replayed": False} == receipt, r.text  # the same receipt, said again
            assert r.json()["replayed"] is True
        elif r.status_code == 409:
            assert r.json()["code"] in {"counter.order_conflict", "counter.in_progress"}, r.text
    again = httpx.post(f"{till.server.base_url}{PURCHASES}", json=body, headers=till.headers, timeout=30)
    assert again.status_code == 200, again.text
    assert again.json()["purchase_id"] == receipt["purchase_id"]
    expected = till.alliance.opening_points + receipt["points_earned"]
    assert _balance(till, phone) == expected


def test_two_hundred_purchases_spending_one_members_points_never_overdraw(till):
    phone = till.alliance.phones[1]
    opening = _balance(till, phone)
    assert opening == till.alliance.opening_points
    bodies = [
        {"store_id": till.store, "phone": phone, "order_no": f"SPEND-{i:03d}", "amount_fen": 3000,
         "points_to_use": 100}
        for i in range(200)
    ]  # fmt: skip
    first = _all_at_once(till, [(PURCHASES, body) for body in bodies])
    _no_server_error(till, first)
    final = [_retrying(till, PURCHASES, body, r) for body, r in zip(bodies, first, strict=True)]
    statuses = _no_server_error(till, final)
    assert set(statuses) <= {201, 409, 422}, statuses
    receipts = [r.json() for r in final if r.is_success]
    refusals = Counter(r.json()["code"] for r in final if not r.is_success)
    assert set(refusals) <= {"counter.points_exceed_balance", "ledger.insufficient_points"}, refusals
    used = sum(receipt["points_used"] for receipt in receipts)
    earned = sum(receipt["points_earned"] for receipt in receipts if receipt["points_pending_until"] is None)
    assert used == 100 * len(receipts)
    assert len({receipt["purchase_id"] for receipt in receipts}) == len(receipts)
    balance = _balance(till, phone)
    assert balance >= 0
    assert balance == opening - used + earned
    assert len(receipts) >= opening // 100  # each purchase earns; none was refused while points were left
    verified = run_cli("ledger", "verify", env=till.env, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_concurrent_refunds_of_one_purchase_refund_it_at_most_once(till):
    phone = till.alliance.phones[2]
    purchase = {"store_id": till.store, "phone": phone, "order_no": "REFUND-ME-1", "amount_fen": 30000}
    r = httpx.post(f"{till.server.base_url}{PURCHASES}", json=purchase, headers=till.headers, timeout=30)
    assert r.status_code == 201, r.text
    payable = r.json()["payable_fen"]
    third = payable // 3
    bodies = [
        {"store_id": till.store, "order_no": "REFUND-ME-1", "refund_no": f"RF-{n}", "amount_fen": third}
        for n in range(10)
        for _copy in range(3)
    ]
    first = _all_at_once(till, [(REFUNDS, body) for body in bodies])
    _no_server_error(till, first)
    final = [_retrying(till, REFUNDS, body, r) for body, r in zip(bodies, first, strict=True)]
    statuses = _no_server_error(till, final)
    assert set(statuses) <= {200, 201, 409, 422}, statuses
    by_number: dict[str, set[str]] = {}
    for body, r in zip(bodies, final, strict=True):
        if r.is_success:
            by_number.setdefault(body["refund_no"], set()).add(r.json()["refund_id"])
    assert all(len(ids) == 1 for ids in by_number.values()), by_number  # each number refunds once
    assert len(by_number) == 3, (by_number, statuses)  # three thirds fit, a fourth does not
    read = httpx.get(
        f"{till.server.base_url}{PURCHASES}/REFUND-ME-1",
        params={"store_id": till.store},
        headers=till.headers,
        timeout=30,
    )
    assert read.status_code == 200, read.text
    assert read.json()["refunded_fen"] == 3 * third <= payable
    verified = run_cli("ledger", "verify", env=till.env, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_both_workers_served_the_whole_load_without_a_respawn(till):
    """Last in the module: the two workers that started are the two that answered everything."""
    log = till.server.log()
    assert log.count("Application startup complete") == 2, log[-3000:]
    assert "died" not in log, log[-3000:]  # uvicorn's supervisor: "Child process [pid] died"
    pids = {line.split("[")[1].split("]")[0] for line in log.splitlines() if "Started server process" in line}
    assert len(pids) == 2, pids
