"""``guildcard bench``: measure throughput and job times; prints figures, asserts nothing."""

from __future__ import annotations

import json

import typer

from guildcard.cli import bench_counter
from guildcard.cli.common import console

app = typer.Typer(help="Benchmarks (print figures).", no_args_is_help=True)
app.command("counter")(bench_counter.counter)


@app.command("insights")
def insights(  # noqa: PLR0917 - a Typer command: one parameter per option
    members: int = typer.Option(20_000, "--members", help="Members of the synthetic alliance."),
    purchases: int = typer.Option(200_000, "--purchases", help="Purchases over 365 days."),
    postgres_url: str = typer.Option(
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "--postgres-url",
        help="Server (admin URL) where a throw-away database is created and dropped.",
    ),
    no_clv: bool = typer.Option(False, "--no-clv", help="Skip the lifetime-value fit."),
    no_baseline: bool = typer.Option(
        False, "--no-baseline", help="Skip timing the old Python-over-rows path of each dashboard."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Member insights on a city's synthetic history: rollup build, one-day refresh, each dashboard, CLV."""
    from guildcard.insights import bench as insights_bench  # noqa: PLC0415 - heavy imports only here

    figures = insights_bench.run(
        admin_url=postgres_url,
        members=members,
        purchases=purchases,
        fit_clv=not no_clv,
        baseline=not no_baseline,
    )
    if as_json:
        typer.echo(json.dumps(figures))
        return
    for line in insights_bench.report_lines(figures):
        console.print(line)


@app.command("ledger")
def ledger(
    postgres_url: str = typer.Option(
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "--postgres-url",
        help="Server (admin URL) where a throw-away database is created and dropped; '' to skip.",
    ),
    quick: bool = typer.Option(False, "--quick", help="Small runs: a smoke test, not a measurement."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    expiry_lots: int = typer.Option(
        None, "--expiry-lots", help="Lots for the expiry run (default 1,000,000)."
    ),
) -> None:
    """Ledger throughput vs a raw baseline (SQLite and PostgreSQL), batched, and expiry at scale."""
    from guildcard.ledger import bench  # noqa: PLC0415 - heavy imports only for this command

    report = bench.run(postgres_url=postgres_url or None, quick=quick, expiry_lots=expiry_lots)
    if as_json:
        typer.echo(json.dumps(report))
        return
    for backend in ("sqlite", "postgresql"):
        if backend in report:
            r = report[backend]
            console.print(
                f"[bold]{backend}[/]: baseline {r['baseline_tps']} tx/s · ledger {r['ledger_tps']} tx/s "
                f"({r['ratio_ledger_to_baseline']}x baseline) · batched {r['batched_tps']} ops/s "
                f"({r['ratio_batched_to_ledger']}x ledger)"
            )
    console.print(
        f"expiry of {report['expiry_lots']:,} lots (SQLite): {report['expiry_1m_seconds']} s, "
        f"peak {report['expiry_1m_peak_mb']} MB"
    )
    if "postgresql" in report:
        console.print(f"expiry on PostgreSQL: {report['postgresql']['expiry_seconds']} s")
