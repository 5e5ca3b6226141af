"""``guildcard bench counter``: the counter's real path over HTTP against pgbench, on one PostgreSQL.

One invocation, one throw-away database on the given server (dropped at the end):

1. ``pgbench -i -s 8`` into it, then ``pgbench`` tpcb-like at CLIENTS clients: ``pgbench_tps``.
2. Migrate it and seed the bench alliance through the real services
   (``guildcard.demo.bench_alliance``: two merchants with stores, staff, POS keys and contracts;
   MEMBERS members registered with the one-time code, consenting to phone look-up, each with an
   opening balance): ``seconds_seeding``.
3. ``statements_per_commit``: in this process, on the seeded database, a real purchase at the
   hot-pot's POS that pays 500 points and earns on the rest, the member named by a fresh member
   code (the usual way at the till): the statements SQLAlchemy sends (``before_cursor_execute``)
   plus BEGIN and COMMIT, of the second such purchase (the first fills the process's caches).
   The pool's pre-ping on checkout is a round trip too, but not a statement of the transaction.
4. A server like ``guildcard serve --workers WORKERS`` (uvicorn, the product's app from the real
   bootstrap, plus the bare ``/bench/tpcb`` route of ``bench_server``) and, in its own process,
   the load generator (``bench_load``) at CLIENTS clients, each mode after a short warm-up:
   ``http_baseline_tps`` (the tpcb-like transaction behind HTTP, the same engine and driver),
   ``counter_tps`` / ``p50_ms`` / ``p99_ms`` (``POST /purchases``), and ``bulk_tps`` (purchases per
   second through ``POST /purchases:batch``, BATCH per request). The POS keys of both merchants'
   first stores authenticate, as an integrator's POS would. The server is configured from
   ``GUILDCARD_*`` as ``guildcard serve`` is (the database URL, development settings and log level
   are set by the benchmark). A phase ends after SECONDS; requests under way are awaited and
   their time counted.
5. ``guildcard ledger verify`` on the database afterwards: ``ledger_clean``.

How members are named: by the phone they agreed to be found by. A member code is single-use per
30-second step (and a newer one retires the older), so 2,000 members allow at most about 66
purchases a second by code, far below what the counter is meant to reach (a fifth of pgbench's
tps, some 400 a second here); the load would measure that cap, not the counter. The two paths
cost about the same: by phone the member and the consents are read twice (4 reads), by code
the member is read twice, the consents and the last step used once, and the use is INSERTed
(4 reads, 1 write): step 3 counts the code's path, one statement more than the phone's.

Ratios: ``ratio`` = counter / pgbench, ``stack_ratio`` = counter / HTTP baseline, ``bulk_ratio`` =
bulk / pgbench. Figures only; nothing is asserted. Errors seen by the load are printed on stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from guildcard.bootstrap import Container, bootstrap
from guildcard.cli.common import console, err_console
from guildcard.counter.commands import MemberIdentity, PurchaseInput
from guildcard.db import schema
from guildcard.db.engine import Database
from guildcard.demo.bench_alliance import BenchAlliance, seed_bench_alliance
from guildcard.settings import Settings

BENCH_MEMBERS = 2000
PGBENCH_SCALE = 8
WARM_UP_SECONDS = 2.0
FIXED_OTP = "246810"  # development only: members register with it
KEYS = (
    "pgbench_tps", "http_baseline_tps", "counter_tps", "p50_ms", "p99_ms", "bulk_tps", "ratio", "stack_ratio",
    "bulk_ratio", "statements_per_commit", "ledger_clean", "members", "seconds_seeding",
)  # fmt: skip


# --- the database server ------------------------------------------------------------------------


def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _pgbench(admin_url: str, db: str, clients: int, seconds: float) -> float:
    """Initialize pgbench's tables in ``db`` and run tpcb-like; its tps."""
    url = make_url(admin_url)
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    pgbench = shutil.which("pgbench") or "pgbench"
    init = [pgbench, "-i", "-q", "-s", str(PGBENCH_SCALE), *args, db]
    subprocess.run(init, check=True, env=env, capture_output=True)  # noqa: S603
    out = subprocess.run(  # noqa: S603
        [pgbench, "-c", str(clients), "-j", str(clients), "-T", str(max(1, round(seconds))), "-n", *args, db],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"tps = ([0-9.]+)", out)
    assert found, out
    return float(found.group(1))


# --- statements of one purchase -----------------------------------------------------------------


@contextlib.contextmanager
def counting_statements(database: Database) -> Iterator[list[str]]:
    """The statements sent on ``database``'s engine while open, BEGIN and COMMIT included."""
    sent: list[str] = []
    engine = database.engine

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        sent.append(" ".join(sql.split()[:3]))

    def begin(_conn: Any) -> None:
        sent.append("BEGIN")

    def commit(_conn: Any) -> None:
        sent.append("COMMIT")

    listeners = (("before_cursor_execute", statement), ("begin", begin), ("commit", commit))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield sent
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def statements_per_commit(container: Container, alliance: BenchAlliance) -> list[str]:
    """A purchase at the hot-pot's POS: 500 points pay part, the rest earns; a fresh member code.

    The statements of the second such purchase (of another member) are returned: the first one
    in a process also fills its caches (accounts it has not seen yet, settings).
    """
    assert container.alliance is not None
    hotpot = alliance.hotpot
    with container.database.read() as conn:
        actor = container.alliance.pos_keys.authenticate(conn, hotpot.pos_key)
    assert actor is not None

    def request(member_id: str, order_no: str) -> PurchaseInput:
        code = container.members.member_codes.show_member_code(alliance_id=alliance.id, member_id=member_id)
        who = MemberIdentity(member_code=code.digits)
        return PurchaseInput(hotpot.store_ids[0], order_no, 20000, who, points_to_use=500)

    container.counter.commit(actor, request(alliance.member_ids[-2], "STATEMENTS-0"))
    second = request(alliance.member_ids[-1], "STATEMENTS-1")  # the code is shown before counting
    with counting_statements(container.database) as sent:
        receipt = container.counter.commit(actor, second).receipt
    assert receipt.points_used == 500, receipt
    assert receipt.points_earned > 0, receipt
    return sent


def _summary(statements: list[str]) -> str:
    """``35 statements (BEGIN 1, SELECT 14, INSERT 15, UPDATE 4, COMMIT 1)``."""
    verbs = Counter(sql.split()[0].upper() for sql in statements)
    return f"{len(statements)} statements ({', '.join(f'{verb} {n}' for verb, n in verbs.items())})"


# --- the server and the load --------------------------------------------------------------------


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    import httpx  # noqa: PLC0415

    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "guildcard.cli.bench_server:create_bench_app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning",
        "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    for _ in range(600):
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the benchmark server did not start:\n{log.read_text()}")


def _load(spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "guildcard.cli.bench_load", json.dumps(spec)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout  # noqa: S603
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if result["codes"]:
        err_console.print(f"[yellow]{spec['mode']}[/]: refused or failed {result['codes']}")
    return result


def _ledger_clean(env: dict[str, str]) -> bool:
    cmd = [sys.executable, "-m", "guildcard.cli.main", "ledger", "verify"]
    verified = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True)  # noqa: S603
    if verified.returncode != 0:
        err_console.print(verified.stdout + verified.stderr)
    return verified.returncode == 0


# --- the run ------------------------------------------------------------------------------------


def run(
    *,
    admin_url: str,
    clients: int = 8,
    seconds: float = 15,
    members: int = BENCH_MEMBERS,
    workers: int = 2,
    batch: int = 100,
    progress: bool = False,
) -> dict[str, Any]:
    """Every figure of the module docstring, as one dictionary with the keys of ``KEYS``."""

    def say(what: str) -> None:
        if progress:
            err_console.print(f"[dim]{time.strftime('%H:%M:%S')}[/] {what}")

    tag = f"{os.getpid()}_{int(time.time())}"
    db = f"gc_bench_counter_{tag}"
    database_url = make_url(admin_url).set(drivername="postgresql+psycopg", database=db)
    url = database_url.render_as_string(hide_password=False)
    env = os.environ | {
        "GUILDCARD_ENV": "development", "GUILDCARD_DATABASE_URL": url, "GUILDCARD_FIXED_OTP": FIXED_OTP,
        "GUILDCARD_LOG_LEVEL": "WARNING",
    }  # fmt: skip
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"gc_bench_counter_{tag}.log"  # noqa: S108
    try:
        _admin(admin_url, f'CREATE DATABASE "{db}"')
        say(f"pgbench tpcb-like, scale {PGBENCH_SCALE}, {clients} clients")
        pgbench_tps = _pgbench(admin_url, db, clients, seconds)
        say(f"seeding {members} members")
        container = bootstrap(Settings(env="development", database_url=url, fixed_otp=FIXED_OTP))
        try:
            schema.upgrade(container.database.engine)
            started = time.perf_counter()
            alliance = seed_bench_alliance(
                container, members=members, password=secrets.token_urlsafe(16), sessions=False
            )
            seconds_seeding = time.perf_counter() - started
            statements = statements_per_commit(container, alliance)
        finally:
            container.close()
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in alliance.timings.items())
        say(f"seeded in {seconds_seeding:.1f} s ({steps}); one purchase: {_summary(statements)}")
        port = _free_port()
        server = _serve(env, port, workers, log)
        try:
            base = {
                "url": f"http://127.0.0.1:{port}", "clients": clients, "batch": batch,
                "phones": alliance.phones,
                "targets": [{"store_id": m.store_ids[0], "key": m.pos_key} for m in alliance.merchants],
            }  # fmt: skip
            measured = {}
            for mode in ("tpcb", "single", "batch"):
                say(f"{mode} over HTTP")
                _load(base | {"mode": mode, "seconds": WARM_UP_SECONDS, "tag": f"W{mode[0]}"}, env)
                measured[mode] = _load(base | {"mode": mode, "seconds": seconds, "tag": mode[0].upper()}, env)
        finally:
            server.terminate()
            server.wait(timeout=30)
        log.unlink()  # kept only when the run failed
        say("guildcard ledger verify")
        ledger_clean = _ledger_clean(env)
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return report(
        pgbench_tps, measured, statements=len(statements), ledger_clean=ledger_clean, members=members,
        seconds_seeding=seconds_seeding,
    )  # fmt: skip


def report(
    pgbench_tps: float,
    measured: dict[str, dict[str, Any]],
    *,
    statements: int,
    ledger_clean: bool,
    members: int,
    seconds_seeding: float,
) -> dict[str, Any]:
    baseline, single = measured["tpcb"]["per_second"], measured["single"]["per_second"]
    bulk = measured["batch"]["per_second"] if "batch" in measured else None

    def ratio(a: float | None, b: float) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    def ms(value: float | None) -> float | None:
        return round(value, 2) if value is not None else None

    return {
        "pgbench_tps": round(pgbench_tps, 1),
        "http_baseline_tps": round(baseline, 1),
        "counter_tps": round(single, 1),
        "p50_ms": ms(measured["single"]["p50_ms"]),
        "p99_ms": ms(measured["single"]["p99_ms"]),
        "bulk_tps": round(bulk, 1) if bulk is not None else None,
        "ratio": ratio(single, pgbench_tps),
        "stack_ratio": ratio(single, baseline),
        "bulk_ratio": ratio(bulk, pgbench_tps),
        "statements_per_commit": statements,
        "ledger_clean": ledger_clean,
        "members": members,
        "seconds_seeding": round(seconds_seeding, 1),
    }


def counter(  # noqa: PLR0917 - a Typer command: one parameter per option
    postgres_url: str = typer.Option(
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "--postgres-url",
        help="Server (admin URL) where a throw-away database is created and dropped.",
    ),
    clients: int = typer.Option(8, "--clients", min=1, help="Concurrent clients of every load."),
    seconds: float = typer.Option(15, "--seconds", min=0.5, help="Length of each measured phase."),
    members: int = typer.Option(BENCH_MEMBERS, "--members", min=10, help="Members to seed."),
    workers: int = typer.Option(2, "--workers", min=1, help="Server worker processes."),
    batch: int = typer.Option(100, "--batch", min=1, max=500, help="Purchases per purchases:batch request."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """pgbench, an HTTP baseline, single and batched purchases over HTTP, on a seeded alliance."""
    figures = run(
        admin_url=postgres_url, clients=clients, seconds=seconds, members=members, workers=workers,
        batch=batch, progress=True,
    )  # fmt: skip
    if as_json:
        typer.echo(json.dumps(figures))
        return
    table = Table("figure", "value", title=f"counter benchmark ({clients} clients, {workers} workers)")
    for key in KEYS:
        table.add_row(key, str(figures[key]))
    console.print(table)
