"""PostgreSQL backends terminated under load (``pg_terminate_backend``): no request fails with a 500.

A thread terminates every other session of the test database four times a second while
requests read and write. A write whose connection drops is run again as a whole unit of work
on a fresh connection (pre-ping replaces dead pooled connections); what cannot be retried in the
server (a read cut mid-way, a COMMIT whose outcome is unknown) answers 503 with Retry-After, and
the client's retry (same Idempotency-Key) is answered once. Every acknowledged write is there.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import psycopg
import pytest
from tests.integration.alliance.world import auth


def _terminate_all(url: str, stop: threading.Event, dropped: list[int]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
            dropped.append(len(rows))
            time.sleep(0.25)


def test_terminated_backends_cost_no_failed_request(api):
    database = api.container.database
    if database.is_sqlite:
        pytest.skip("a PostgreSQL fault")
    m = api.world("faults").merchants[0]
    url = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
    stop, dropped = threading.Event(), []
    killer = threading.Thread(target=_terminate_all, args=(url, stop, dropped))
    statuses: Counter[int] = Counter()
    acknowledged = []
    killer.start()
    try:
        for i in range(60):
            name = f"二店{i}"
            for _attempt in range(5):  # what a client does with a 503 + Retry-After
                r = api.client.patch(
                    f"/api/v1/stores/{m.store_b}", json={"name": name}, headers=auth(m.owner)
                )
                statuses[r.status_code] += 1
                if r.status_code != 503:
                    break
                assert r.headers["retry-after"] == "1"
            if r.status_code == 200:
                acknowledged.append(name)
            read = api.client.get(f"/api/v1/merchants/{m.id}", headers=auth(m.owner))
            statuses[read.status_code] += 1
    finally:
        stop.set()
        killer.join()
    assert sum(dropped) >= 5, dropped  # backends really were terminated under the requests
    assert statuses[500] == 0, statuses
    assert set(statuses) <= {200, 503}, statuses
    assert len(acknowledged) >= 55, statuses
    final = api.client.get(f"/api/v1/stores/{m.store_b}", headers=auth(m.owner))
    assert final.json()["name"] == acknowledged[-1]
