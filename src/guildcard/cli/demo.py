"""``guildcard demo``: seed a realistic alliance into ``data/demo.db``, print logins, serve."""

from __future__ import annotations

import os
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from guildcard.bootstrap import bootstrap
from guildcard.cli import serve
from guildcard.cli.common import console, err_console, print_error, settings_or_exit
from guildcard.db import schema
from guildcard.demo import database
from guildcard.demo.merchants import ALLIANCE_CODE
from guildcard.demo.plan import VISITS_PER_MEMBER_MONTH
from guildcard.demo.seeder import DEFAULT_MEMBERS, DEFAULT_MONTHS, DEFAULT_SEED, DemoOptions, DemoResult, seed
from guildcard.kernel.clock import FixedClock, SystemClock, business_date
from guildcard.kernel.errors import GuildCardError
from guildcard.pipeline import outbox
from guildcard.settings import Settings, load_settings


def demo(
    *,
    no_serve: bool = typer.Option(False, "--no-serve", help="Seed and exit (for scripts)."),
    reset: bool = typer.Option(False, "--reset", help="Delete the demo database and seed a fresh one."),
    seed_: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed: the same seed, the same story."),
    members: int = typer.Option(DEFAULT_MEMBERS, min=10, help="How many members register."),
    months: int = typer.Option(DEFAULT_MONTHS, min=2, max=12, help="Calendar months of history."),
    visits: float = typer.Option(
        VISITS_PER_MEMBER_MONTH, min=0.1, max=30, help="Purchases per member and month, on average."
    ),
    last_day: str = typer.Option(
        None, "--last-day", help="Last day of the story, YYYY-MM-DD (default: yesterday)."
    ),
    host: str = typer.Option(None, help="Bind address (default: GUILDCARD_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default: GUILDCARD_PORT or 8000)."),
    as_json: bool = typer.Option(
        False, "--json", help="Print what was seeded as one JSON object (with --no-serve, for scripts)."
    ),
) -> None:
    """Development: seed a shopping-district alliance (静安寺商圈联盟) into data/guildcard.db, serve it.

    Merchants of twelve trades are onboarded with contracts, stores and staff; members register
    and shop for months (refunds, backfills, points paid across merchants, expiry); the first
    month is settled. Everything goes through the services. Refuses a seeded file without --reset.
    """
    settings = settings_or_exit()
    if not settings.is_development:
        err_console.print("[bold red]error[/] the demo runs only with GUILDCARD_ENV=development")
        raise typer.Exit(2)
    path = database.demo_path(settings)
    if path is None:
        err_console.print(
            "[bold red]error[/] the demo seeds the SQLite file under GUILDCARD_DATA_DIR; "
            "unset GUILDCARD_DATABASE_URL to run it"
        )
        raise typer.Exit(2)
    path.parent.mkdir(parents=True, exist_ok=True)
    otp = settings.fixed_otp or f"{secrets.randbelow(10**6):06d}"
    if reset:
        database.remove(path)
    elif database.is_seeded(path):
        err_console.print(
            f"[bold red]error[/] {path} already holds an alliance: the demo seeds a fresh database only.\n"
            "  Run [bold]guildcard demo --reset[/] (or ./scripts/run --reset) to delete it and seed anew, "
            "or [bold]guildcard up[/] to serve it as it is."
        )
        raise typer.Exit(2)
    options = DemoOptions(
        last_day=_last_day(last_day), password=_password(), seed=seed_, members=members, months=months,
        visits=visits,
    )  # fmt: skip
    result, events = _seed(settings, path, otp, options, quiet=as_json)
    if as_json:
        console.print_json(data=_counts(result, path, events, otp))
    else:
        _report(result, path)
    if no_serve and as_json:
        return
    if no_serve:
        _print_urls(settings, host, port)
        _print_logins(result, otp)
        return
    _serve(settings, path, otp, host, port, result=result)


def _last_day(raw: str | None) -> date:
    if raw is None:
        return business_date(SystemClock().now()) - timedelta(days=1)
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--last-day") from exc


def _password() -> str:
    """A fresh password per run for every printed login (never a fixed one)."""
    return "Demo-" + secrets.token_urlsafe(9)


def _seed(
    settings: Settings, path: Path, otp: str, options: DemoOptions, *, quiet: bool
) -> tuple[DemoResult, dict[str, int]]:
    """The seeded story, and how many events of each kind its commands wrote to the outbox."""
    seeding = load_settings(env="development", database_url=database.demo_url(path), fixed_otp=otp)
    clock = FixedClock(datetime.now().astimezone())
    container = bootstrap(seeding, clock=clock)
    database.fast_writes(container.database.engine)
    columns = (TextColumn("[bold]seeding[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    try:
        schema.upgrade(container.database.engine)
        # Redrawn on each update only: a refresh thread would take CPU from the seeding.
        with Progress(*columns, console=err_console if quiet else console, auto_refresh=False) as bar:
            task = bar.add_task("alliance", total=1)

            def progress(what: str, done: int, total: int) -> None:
                bar.update(task, description=what, completed=done, total=total, refresh=True)

            result = seed(container, clock, options, progress)
        with container.database.read() as conn:
            return result, outbox.counts(conn, result.alliance.id)
    except GuildCardError as exc:
        print_error(exc)
        raise typer.Exit(1) from exc
    finally:
        container.close()


def _counts(result: DemoResult, path: Path, events: dict[str, int], otp: str) -> dict[str, Any]:
    t, alliance, window = result.tally, result.alliance, result.plan.window
    return {
        "database": str(path), "alliance": alliance.code, "window": [str(window.first), str(window.last)],
        "seconds": round(result.seconds, 1), "cpu_seconds": round(result.cpu_seconds, 1),
        "merchants": len(alliance.merchants), "stores": sum(len(m.store_ids) for m in alliance.merchants),
        # Owners come with each approved application, the other staff are added by the owners.
        "staff": len(alliance.merchants) + events.get("alliance.staff_added", 0),
        "periods_closed": events.get("settlement.period_closed", 0),
        "members": t.members, "purchases": t.purchases, "paid_with_points": t.paid_with_points,
        "points_earned": t.points_earned, "points_used": t.points_used, "refunds": t.refunds,
        "refunds_refused": t.refunds_refused, "backfills": t.backfills,
        "backfills_approved": t.backfills_approved, "points_expired": t.expired_points,
        "settled_month": window.settled_month, "refused": dict(t.skipped), "events": events,
        **result.loyalty, **result.rewards, **(result.mall.as_counts() if result.mall else {}),
        "webhook_deliveries": result.webhook_deliveries,
        **result.extras,
        "insights": result.insights,
        "logins": [
            {"role": what, "login": login, "password": result.password}
            for login, what in result.alliance.activated.items()
        ] + [{"role": "member", "login": result.member_phone, "password": otp}],
    }  # fmt: skip


def _report(result: DemoResult, path: Path) -> None:
    t, alliance = result.tally, result.alliance
    table = Table(title=f"{alliance.code}: demo seeded into {path} in {result.seconds:.1f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    window = result.plan.window
    rows = [
        ("window", f"{window.first} .. {window.last}"),
        ("merchants (approved, with contracts)", len(alliance.merchants)),
        ("stores", sum(len(m.store_ids) for m in alliance.merchants)),
        ("staff", sum(len(m.cashiers) + 2 for m in alliance.merchants)),
        ("members", t.members),
        ("purchases", t.purchases),
        ("  paid partly with points", t.paid_with_points),
        ("points earned / used", f"{t.points_earned:,} / {t.points_used:,}"),
        ("refunds (refused)", f"{t.refunds} ({t.refunds_refused})"),
        ("backfills (owner-approved)", f"{t.backfills} ({t.backfills_approved})"),
        ("points expired", f"{t.expired_points:,}"),
        ("settled month", window.settled_month),
    ]
    for what, count in rows:
        table.add_row(what, str(count))
    console.print(table)
    if t.skipped:
        console.print(
            "not recorded (refused by the services): " + ", ".join(f"{k} ×{n}" for k, n in t.skipped.items())
        )
    spent, cpu = result.timings, result.cpu_timings
    per = 1000 * spent.get("purchase", 0) / max(1, t.purchases)
    per_cpu = 1000 * cpu.get("purchase", 0) / max(1, t.purchases)
    console.print(
        f"seeding took [bold]{result.seconds:.1f} s[/] ({result.cpu_seconds:.1f} s of CPU): "
        f"purchases {spent.get('purchase', 0):.1f} s "
        f"({per:.1f} ms each, {per_cpu:.1f} ms of CPU), members {spent.get('join', 0):.1f} s "
        f"({cpu.get('join', 0):.1f} s of CPU), "
        f"jobs and settlement {spent.get('expiry', 0) + spent.get('settlement', 0):.1f} s, "
        f"coupons and referrals {spent.get('rewards', 0):.1f} s"
    )


def _base(settings: Settings, host: str | None, port: int | None) -> str:
    return f"http://{host or settings.host}:{port or settings.port}"


def _print_urls(settings: Settings, host: str | None, port: int | None) -> None:
    base = _base(settings, host, port)
    for name, url in (
        ("Home", "/"),
        ("Member H5", f"/m/{ALLIANCE_CODE}/login"),
        ("Counter", "/counter"),
        ("Merchant", "/merchant"),
        ("Operator", "/ops"),
        ("Staff login", "/staff/login"),
        ("Ops login", "/ops/login"),
        ("API docs", "/docs"),
    ):
        console.print(f"  {name:<13} {base}{url}")


def _print_logins(result: DemoResult, otp: str) -> None:
    alliance = result.alliance
    password = result.password
    table = Table(title=f"demo logins (alliance code {alliance.code}; passwords are new on every run)")
    for column in ("role", "login", "password / code"):
        table.add_column(column)
    for login, what in alliance.activated.items():
        table.add_row(what, login, password)
    table.add_row("member (phone + one-time code)", result.member_phone, otp)
    console.print(table)


def _serve(
    settings: Settings,
    path: Path,
    otp: str,
    host: str | None,
    port: int | None,
    *,
    result: DemoResult,
) -> None:
    # The server reads its settings from the environment: the member's one-time code is the demo's.
    os.environ.setdefault("GUILDCARD_FIXED_OTP", otp)
    console.print(
        f"[bold]GuildCard demo[/] is starting on [cyan]{_base(settings, host, port)}[/]  (database: {path})"
    )
    _print_urls(settings, host, port)
    _print_logins(result, otp)
    with serve.background_worker():  # the outbox, webhooks and due jobs keep moving while it serves
        serve._run(settings, host or settings.host, port or settings.port, 1)
