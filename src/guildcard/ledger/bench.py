"""``guildcard bench ledger``: throughput against a raw baseline, and expiry at scale.

Per backend: a raw baseline (the same driver doing one UPDATE + one INSERT per transaction),
ledger awards and spends one per transaction, and the same batched (group commit: many
commands in one unit of work). Then expiry of N lots (1,000,000 by default) timed in a child
process whose peak RSS is the memory figure (SQLite runs in that process, so it counts).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from guildcard.db import schema
from guildcard.db.engine import Database
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import chart
from guildcard.ledger.bulk import AwardRequest
from guildcard.ledger.keys import AesGcmKeyStore
from guildcard.ledger.standalone import LedgerService

ALLIANCE = "al_bench"
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
KEYS = AesGcmKeyStore("bench-only-data-key-0000000000000000")
MEMBERS = 200
BATCH = 50


def run(*, postgres_url: str | None, quick: bool, expiry_lots: int | None = None) -> dict[str, Any]:
    ops = 120 if quick else 3000
    lots = expiry_lots or (20_000 if quick else 1_000_000)
    report: dict[str, Any] = {"ops_per_measure": ops}
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        report["sqlite"] = _throughput(url, ops)
        expiry_url = f"sqlite:///{Path(tmp) / 'expiry.db'}"
        seconds, peak = _expiry(expiry_url, lots)
    report |= {"expiry_lots": lots, "expiry_1m_seconds": seconds, "expiry_1m_peak_mb": peak}
    if postgres_url:
        with _pg_database(postgres_url) as url:
            report["postgresql"] = _throughput(url, ops)
        with _pg_database(postgres_url) as url:
            seconds, peak = _expiry(url, lots)
        report["postgresql"] |= {"expiry_seconds": seconds, "expiry_client_peak_mb": peak}
    return report


# --- throughput ---------------------------------------------------------------------------


def _throughput(url: str, ops: int) -> dict[str, float]:
    """Interleave the three measures in chunks so that they share the machine's load alike."""
    database = Database(url)
    try:
        schema.upgrade(database.engine)
        service = _open(database)
        steps = {
            "baseline": _baseline(database),
            "ledger": _ledger_one_per_transaction(service),
            "batched": _ledger_batched(service),
        }
        tps = _interleaved(steps, ops)
    finally:
        database.dispose()
    return {
        "baseline_tps": round(tps["baseline"], 1),
        "ledger_tps": round(tps["ledger"], 1),
        "batched_tps": round(tps["batched"], 1),
        "ratio_ledger_to_baseline": round(tps["ledger"] / tps["baseline"], 3),
        "ratio_batched_to_ledger": round(tps["batched"] / tps["ledger"], 3),
    }


def _interleaved(steps: dict[str, Callable[[int], int]], ops: int, chunk: int = 100) -> dict[str, float]:
    for step in steps.values():
        step(0)  # warm up (connections, statement caches)
    seconds = dict.fromkeys(steps, 0.0)
    done = dict.fromkeys(steps, 0)
    counter = dict.fromkeys(steps, 1)
    while min(done.values()) < ops:
        for name, step in steps.items():
            started, n = time.perf_counter(), 0
            while n < chunk:
                n += step(counter[name])
                counter[name] += 1
            seconds[name] += time.perf_counter() - started
            done[name] += n
    return {name: done[name] / seconds[name] for name in steps}


def _baseline(database: Database) -> Callable[[int], int]:
    with database.write() as conn:
        conn.execute(text("CREATE TABLE bench_accounts (id INTEGER PRIMARY KEY, balance BIGINT NOT NULL)"))
        conn.execute(
            text("CREATE TABLE bench_log (id VARCHAR(40) PRIMARY KEY, account INTEGER, amount BIGINT)")
        )
        conn.execute(
            text("INSERT INTO bench_accounts (id, balance) VALUES (:i, 0)"),
            [{"i": i} for i in range(MEMBERS)],
        )

    def step(i: int) -> int:
        with database.write() as conn:
            conn.execute(
                text("UPDATE bench_accounts SET balance = balance + 1 WHERE id = :i"), {"i": i % MEMBERS}
            )
            conn.execute(
                text("INSERT INTO bench_log (id, account, amount) VALUES (:k, :i, 1)"),
                {"k": uuid.uuid4().hex, "i": i % MEMBERS},
            )
        return 1

    return step


def _open(database: Database) -> LedgerService:
    service = LedgerService(database, clock=FixedClock(NOW), keys=KEYS)
    service.open_alliance_ledger(ALLIANCE)
    return service


def _command(ledger: Any, i: int, tag: str) -> None:
    """Step 2k awards 10 points at one merchant; step 2k+1 spends 5 of them at another."""
    member = f"m{(i // 2) % MEMBERS}"
    if i % 2 == 0:
        ledger.award(
            member_id=member, issuer=chart.merchant_issued("a"), amount=10, idempotency_key=f"{tag}{i}"
        )
    else:
        ledger.spend(member_id=member, at=chart.merchant_redeemed("b"), amount=5, idempotency_key=f"{tag}{i}")


def _ledger_one_per_transaction(service: LedgerService) -> Callable[[int], int]:
    def step(i: int) -> int:
        service.write(ALLIANCE, lambda ledger: _command(ledger, i, "u"))
        return 1

    return step


def _ledger_batched(service: LedgerService) -> Callable[[int], int]:
    """Odd steps: one bulk call of BATCH awards; even steps: BATCH spends group-committed."""

    def step(i: int) -> int:
        members = [f"m{(i // 2 * BATCH + j) % MEMBERS}" for j in range(BATCH)]
        if i % 2 == 0:
            requests = [
                AwardRequest(member, chart.merchant_issued("a"), 10, f"b{i}-{j}")
                for j, member in enumerate(members)
            ]
            service.award_many(ALLIANCE, requests)
        else:

            def spends(ledger: Any) -> None:
                for j, member in enumerate(members):
                    ledger.spend(
                        member_id=member,
                        at=chart.merchant_redeemed("b"),
                        amount=5,
                        idempotency_key=f"b{i}-{j}",
                    )

            service.write(ALLIANCE, spends)
        return BATCH

    return step


# --- expiry at scale ------------------------------------------------------------------------


def _expiry(url: str, lots: int) -> tuple[float, float]:
    database = Database(url)
    try:
        schema.upgrade(database.engine)
        _open(database)
        _seed_lots(database, lots)
    finally:
        database.dispose()
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "guildcard.ledger.bench", "expire-child", url],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    if figures["points"] != lots:
        raise RuntimeError(f"expiry moved {figures['points']} points, expected {lots}")
    return round(figures["seconds"], 2), round(figures["peak_mb"], 1)


def _seed_lots(database: Database, lots: int) -> None:
    """``lots`` one-point lots, 10 per member, all expired by 2026-05-31, inserted set-based."""
    members = max(lots // 10, 1)
    series = (
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count) SELECT i FROM n"
        if database.is_sqlite
        else "SELECT generate_series(0, :count - 1) AS i"
    )
    created, expires = "'2026-01-01 00:00:00.000000'", "'2026-05-01 00:00:00.000000'"
    if not database.is_sqlite:
        created, expires = created[:-1] + "+00'", expires[:-1] + "+00'"
    insert_lots = (
        "INSERT INTO ledger_lots (alliance_id, id, member_id, issuer, entry_id, "  # noqa: S608 - constants
        "amount, remaining, state, available_at, expires_at) "
        "SELECT CAST(:a AS VARCHAR(40)), 'lot_' || i, 'm' || (i % :members), "
        f"'merchant:a:issued', 'seed', 1, 1, 'active', {created}, {expires} FROM ({series}) s"
    )
    insert_accounts = (
        "INSERT INTO ledger_accounts (alliance_id, code, unit, owner_kind, "  # noqa: S608 - constants
        "owner_id, balance, created_at) "
        "SELECT CAST(:a AS VARCHAR(40)), 'member:' || member_id || '\\:points', 'POINT', "
        f"'member', member_id, count(*), {created} FROM ledger_lots WHERE alliance_id = :a GROUP BY member_id"
    )
    with database.write() as conn:
        conn.execute(text(insert_lots), {"a": ALLIANCE, "count": lots, "members": members})
        conn.execute(text(insert_accounts), {"a": ALLIANCE})
    with database.engine.connect() as conn:  # statistics, as autovacuum would have them in service
        conn.execute(text("ANALYZE"))
        conn.commit()


def _expire_child(url: str) -> None:
    database = Database(url)
    service = LedgerService(database, clock=FixedClock(NOW), keys=KEYS)
    started = time.perf_counter()
    result = service.expire(ALLIANCE, as_of=date(2026, 5, 31))
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "points": result.points}))


class _pg_database:  # noqa: N801 - used as a context manager like a function
    """A throw-away database on the given server, dropped afterwards."""

    def __init__(self, admin_url: str) -> None:
        self.admin = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.name = f"gc_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    def __enter__(self) -> str:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return (
            self.admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
            + f"/{self.name}"
        )

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


if __name__ == "__main__" and sys.argv[1:2] == ["expire-child"]:
    _expire_child(sys.argv[2])
