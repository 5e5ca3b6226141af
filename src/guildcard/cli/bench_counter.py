"""``guildcard bench counter``: pgbench vs the counter's commit endpoint over HTTP, on one PostgreSQL.

1. ``pgbench`` tpcb-like, 8 clients, against a throw-away database on the server.
2. A counter server process (uvicorn, this app with group commit) on another throw-away
   database, its ports wired to in-memory fakes seeded with a demo alliance (members and
   alliance are other contexts, not wired in this branch), and a load generator process
   sending commits at 8 concurrent clients.

Prints both throughputs, the ratio and p50/p99 latency; ``--json`` prints one object.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from guildcard.auth import tokens
from guildcard.auth.tokens import TokenSubject
from guildcard.bootstrap import Container, bootstrap
from guildcard.cli.common import console
from guildcard.counter.adapters.demo import HOTPOT_STORE, DemoAlliance, seed_demo
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import Clock
from guildcard.ledger import ExpiryPolicy, NegativePolicy
from guildcard.ledger.domain.errors import LedgerAlreadyOpen
from guildcard.settings import Settings

BENCH_MEMBERS = 2000


# --- wiring a demo alliance into a container (benchmark and API tests) -----------------------


def wire_demo(container: Container, *, members: int, group_commit: bool) -> DemoAlliance:
    """Counter ports from in-memory fakes, token loaders for the demo actors, an open ledger."""
    demo = seed_demo(container.clock.now() - timedelta(days=1), members=members)
    container.counter_ports = demo.ports.ports()
    container.counter_group_commit = group_commit

    def load(_conn: Connection, subject: TokenSubject) -> Actor | None:
        return demo.actors.get(subject.actor_id)

    for kind in (ActorKind.STAFF, ActorKind.OPERATOR):
        container.actor_loaders[kind] = load
    with contextlib.suppress(LedgerAlreadyOpen):
        container.ledger().open_alliance_ledger(
            demo.alliance_id, expiry=ExpiryPolicy.rolling(365), negative=NegativePolicy.allow_negative(1000)
        )
    return demo


def issue_tokens(container: Container, demo: DemoAlliance) -> dict[str, str]:
    with container.database.write() as conn:
        return {
            actor_id: tokens.issue(
                conn,
                alliance_id=demo.alliance_id,
                actor_kind=actor.kind,
                actor_id=actor_id,
                now=container.clock.now(),
                ttl=timedelta(days=1),
            )
            for actor_id, actor in demo.actors.items()
        }


def demo_container(
    database_url: str, *, clock: Clock | None = None, members: int = 10, group_commit: bool = False
) -> tuple[Container, DemoAlliance]:
    container = bootstrap(Settings(database_url=database_url), clock=clock)
    return container, wire_demo(container, members=members, group_commit=group_commit)


def create_bench_app() -> Any:
    """ASGI factory for the benchmark's server process (``uvicorn --factory``)."""
    from guildcard.api.app import create_app  # noqa: PLC0415 - only the server process needs it

    container = bootstrap()
    wire_demo(
        container, members=int(os.environ.get("GUILDCARD_BENCH_MEMBERS", BENCH_MEMBERS)), group_commit=True
    )
    return create_app(container)


# --- the load generator (its own process) ------------------------------------------------------


async def _load(url: str, token: str, clients: int, seconds: float, members: int) -> dict[str, Any]:
    import httpx  # noqa: PLC0415

    latencies: list[float] = []
    errors: dict[int, int] = {}
    deadline = time.monotonic() + seconds
    run = os.getpid()

    async def client(worker: int) -> None:
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as http:
            n = 0
            while time.monotonic() < deadline:
                member = (worker * 7919 + n * 31) % members
                body = {
                    "store_id": HOTPOT_STORE,
                    "member_code": f"demo-code-{member:06d}",
                    "order_no": f"B{run}-{worker}-{n}",
                    "amount_fen": 1000 + (n % 50) * 137,
                    "points_to_use": 0,
                }
                started = time.perf_counter()
                response = await http.post("/api/v1/counter/purchases", json=body)
                elapsed = time.perf_counter() - started
                if response.status_code == 201:
                    latencies.append(elapsed)
                else:
                    errors[response.status_code] = errors.get(response.status_code, 0) + 1
                n += 1

    started = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "commits": len(latencies),
        "seconds": wall,
        "tps": len(latencies) / wall,
        "errors": errors,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else None,
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else None,
    }


def loadgen_main(argv: list[str]) -> None:
    url, token, clients, seconds, members = argv
    print(json.dumps(asyncio.run(_load(url, token, int(clients), float(seconds), int(members)))))


# --- orchestration -----------------------------------------------------------------------------


def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _pgbench(admin_url: str, db: str, clients: int, seconds: int) -> float:
    url = make_url(admin_url)
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    pgbench = shutil.which("pgbench") or "pgbench"
    init = [pgbench, "-i", "-q", "-s", "8", *args, db]
    subprocess.run(init, check=True, env=env, capture_output=True)  # noqa: S603
    out = subprocess.run(  # noqa: S603
        [pgbench, "-c", str(clients), "-j", str(clients), "-T", str(seconds), "-n", *args, db],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"tps = ([0-9.]+)", out)
    assert found, out
    return float(found.group(1))


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    import httpx  # noqa: PLC0415

    workers = os.environ.get("GUILDCARD_BENCH_WORKERS", "2")
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "guildcard.cli.bench_counter:create_bench_app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--workers",
        workers,
    ]
    process = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(log.read_text())


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(*, admin_url: str, clients: int, seconds: int, members: int = BENCH_MEMBERS) -> dict[str, Any]:
    """Both runs on throw-away databases of the same server; the databases are dropped after."""
    from guildcard.db import schema  # noqa: PLC0415
    from guildcard.db.engine import Database  # noqa: PLC0415

    tag = f"{os.getpid()}_{int(time.time())}"
    pgbench_db, counter_db = f"gc_bench_pgbench_{tag}", f"gc_bench_counter_{tag}"
    url = make_url(admin_url)
    counter_url = url.set(database=counter_db).render_as_string(hide_password=False)
    try:
        _admin(admin_url, f'CREATE DATABASE "{pgbench_db}"')
        pgbench_tps = _pgbench(admin_url, pgbench_db, clients, seconds)
        _admin(admin_url, f'CREATE DATABASE "{counter_db}"')
        database = Database(counter_url)
        schema.upgrade(database.engine)
        database.dispose()
        container, demo = demo_container(counter_url, members=members)
        token = issue_tokens(container, demo)["stf_hotpot_cashier"]
        container.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDCARD_")}
        env |= {"GUILDCARD_DATABASE_URL": counter_url, "GUILDCARD_BENCH_MEMBERS": str(members)}
        port = _free_port()
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"gc_bench_counter_{tag}.log"  # noqa: S108
        server = _serve(env, port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            warm = [
                sys.executable,
                "-m",
                "guildcard.cli.bench_counter",
                "loadgen",
                base,
                token,
                "2",
                "2",
                str(members),
            ]
            subprocess.run(warm, check=True, capture_output=True, env=env)  # noqa: S603
            cmd = [
                sys.executable,
                "-m",
                "guildcard.cli.bench_counter",
                "loadgen",
                base,
                token,
                str(clients),
                str(seconds),
                str(members),
            ]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout  # noqa: S603
            load = json.loads(out.strip().splitlines()[-1])
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        for db in (pgbench_db, counter_db):
            _admin(admin_url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return {
        "pgbench_tps": round(pgbench_tps, 1),
        "counter_tps": round(load["tps"], 1),
        "ratio": round(load["tps"] / pgbench_tps, 3),
        "p50_ms": round(load["p50_ms"], 2),
        "p99_ms": round(load["p99_ms"], 2),
        "clients": clients,
        "seconds": seconds,
        "commits": load["commits"],
        "errors": load["errors"],
    }


def counter(
    postgres_url: str = typer.Option(
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "--postgres-url",
        help="Server (admin URL) where throw-away databases are created and dropped.",
    ),
    clients: int = typer.Option(8, "--clients"),
    seconds: int = typer.Option(20, "--seconds", help="Length of each run."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """pgbench tpcb-like vs the counter commit endpoint over HTTP, both at CLIENTS, on one PostgreSQL."""
    report = run(admin_url=postgres_url, clients=clients, seconds=seconds)
    if as_json:
        typer.echo(json.dumps(report))
        return
    console.print(
        f"pgbench tpcb-like: {report['pgbench_tps']:.0f} tps · counter commits over HTTP: "
        f"{report['counter_tps']:.0f} tps · ratio {report['ratio']:.2f} · "
        f"p50 {report['p50_ms']:.1f} ms · p99 {report['p99_ms']:.1f} ms"
    )


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "loadgen":
    loadgen_main(sys.argv[2:])
