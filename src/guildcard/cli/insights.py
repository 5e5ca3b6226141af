"""``guildcard insights``: refresh the rollups; print seed 003's metrics of a period."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from guildcard.alliance import queries as alliance_queries
from guildcard.bootstrap import Container
from guildcard.cli.common import console, container_or_exit, err_console
from guildcard.insights.domain.clv_data import TimeUnit
from guildcard.insights.domain.definitions import BY_KEY
from guildcard.insights.domain.windows import parse_period
from guildcard.insights.queries import lifetime
from guildcard.insights.queries.metrics import as_json
from guildcard.insights.queries.scope import parse_scope
from guildcard.kernel.actors import system_actor

app = typer.Typer(help="Member insights: metrics, cohorts, flows, RFM, lifetime value.", no_args_is_help=True)

AllianceOpt = Annotated[str, typer.Option("--alliance", help="The alliance's code (or id).")]


def alliance_id_or_exit(container: Container, alliance: str) -> str:
    with container.database.read() as conn:
        found = alliance_queries.get_alliance(conn, alliance)
    if found is None:
        err_console.print(f"[bold red]error[/] no alliance {alliance}")
        raise typer.Exit(1)
    return found.id


@app.command()
def refresh(alliance: AllianceOpt) -> None:
    """Bring the daily rollups up to date (only the days new sales touched)."""
    with container_or_exit() as container:
        alliance_id = alliance_id_or_exit(container, alliance)
        done = container.insights.refresh(system_actor(alliance_id, "cli"))
        console.print(f"{done.events} events, {len(done.days)} days recomputed")


@app.command()
def metrics(
    alliance: AllianceOpt,
    period: Annotated[str, typer.Option(help="2026-11 (month), 2026-W48 (ISO week) or 2026-11-23 (day).")],
    scope: Annotated[str, typer.Option(help="alliance, trade:CODE, merchant:ID or store:ID.")] = "alliance",
    as_json_out: Annotated[bool, typer.Option("--json", help="Print JSON (seed 003's keys).")] = False,
    no_refresh: Annotated[bool, typer.Option("--no-refresh", help="Read the rollups as they are.")] = False,
) -> None:
    """Seed 003's member metrics of a period: activation, churn, member sales share, repurchase, ..."""
    with container_or_exit() as container:
        alliance_id = alliance_id_or_exit(container, alliance)
        actor = system_actor(alliance_id, "cli")
        if not no_refresh:
            container.insights.refresh(actor)
        chosen = parse_scope(scope)
        found = as_json(container.insights.metrics(actor, parse_period(period), scope=chosen), scope=chosen)
    if as_json_out:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"insights {alliance} {found['period']} ({scope})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("definition")
    for key, value in found.items():
        if key in {"definitions", "period", "scope"}:
            continue
        definition = BY_KEY.get(key)
        table.add_row(key, "—" if value is None else str(value), definition.en if definition else "")
    console.print(table)


@app.command(name="clv")
def clv_command(  # noqa: PLR0917 (Typer passes the options by keyword)
    alliance: AllianceOpt,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: the day after the last sale).")
    ] = None,
    time_unit: Annotated[TimeUnit, typer.Option("--time-unit", help="day or week.")] = TimeUnit.DAY,
    merchant: Annotated[str | None, typer.Option(help="Fit one merchant's customers only (its id).")] = None,
    holdout_days: Annotated[
        int, typer.Option(help="Also check a fit on the history before the last N days.")
    ] = 0,
    as_json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Lifetime value: BG/NBD and Gamma-Gamma by maximum likelihood (needs the clv extra)."""
    with container_or_exit() as container:
        alliance_id = alliance_id_or_exit(container, alliance)
        actor = system_actor(alliance_id, "cli")
        container.insights.refresh(actor)
        day = date.fromisoformat(as_of) if as_of else None
        found_as_of, fitted = container.insights.clv(
            actor, as_of=day, unit=time_unit, merchant_id=merchant, per_member=False
        )
        out = lifetime.as_json(found_as_of, fitted)
        if holdout_days:
            check = container.insights.holdout(actor, as_of=found_as_of, days=holdout_days, unit=time_unit)
            out["holdout"] = {
                "calibration_end": check.calibration_end.isoformat(), "days": check.days,
                "predicted_repeat_purchases": check.predicted, "actual_repeat_purchases": check.actual,
            }  # fmt: skip
    if as_json_out:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console.print(out)
