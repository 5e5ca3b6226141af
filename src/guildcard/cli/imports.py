"""``guildcard import members|purchases FILE``: a merchant's members or purchase history, with a report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from guildcard.alliance import queries as alliance_queries
from guildcard.bootstrap import Container
from guildcard.cli.common import console, container_or_exit
from guildcard.kernel.actors import system_actor
from guildcard.members.errors import UnknownAlliance
from guildcard.members.import_files import read_path
from guildcard.members.services.imports import ImportReport, describe_errors

app = typer.Typer(help="Import a merchant's members or purchase history (CSV or XLSX).", no_args_is_help=True)


def _file() -> Any:
    return typer.Argument(exists=True, dir_okay=False, help="A CSV (UTF-8 or GB18030) or XLSX file.")


def _alliance() -> Any:
    return typer.Option("--alliance", help="The alliance's code or id.")


def _columns() -> Any:
    return typer.Option("--columns", help="Map headers to fields: src=field,… (e.g. 手机=phone).")


def _strict() -> Any:
    return typer.Option(
        "--all-or-nothing", help="Refuse the whole file when any row is bad (default: import the good rows)."
    )


def _alliance_id(container: Container, code: str) -> str:
    with container.database.read() as conn:
        found = alliance_queries.get_alliance(conn, code)
    if found is None:
        raise UnknownAlliance(alliance=code)
    return found.id


def _summary(report: ImportReport, seconds: float, kind: str) -> None:
    table = RichTable(title=f"import {kind}: batch {report.batch_id}")
    for column in ("rows", "created", "linked", "unchanged", "rejected", "points", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        *(str(v) for v in (report.rows, report.created, report.linked, report.unchanged, report.rejected)),
        str(report.points),
        f"{seconds:.1f}",
    )
    console.print(table)
    for line in describe_errors(report.errors):
        console.print(f"[yellow]{line}[/]")
    if len(report.errors) > 20:
        console.print(f"[yellow]… and {len(report.errors) - 20} more problems[/]")
    if report.unknown_member_rows:
        console.print(f"[yellow]rows with an unknown member: {report.unknown_member_rows[:20]}[/]")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@app.command("members")
def import_members(  # noqa: PLR0917 - typer options
    file: Annotated[Path, _file()],
    alliance: Annotated[str, _alliance()],
    merchant: Annotated[
        str, typer.Option("--merchant", help="The importing merchant's id, credit code or name.")
    ],
    columns: Annotated[str | None, _columns()] = None,
    basis: Annotated[
        str,
        typer.Option("--basis", help="The consent basis the merchant attests for sharing these members."),
    ] = "merchant attests its members agreed to join the alliance",
    all_or_nothing: Annotated[bool, _strict()] = False,
) -> None:
    """Import members: merchant's member id, name, phone, birthday, gender, registered, opening points."""
    with container_or_exit() as container:
        alliance_id = _alliance_id(container, alliance)
        service = container.members.imports
        merchant_id = service.resolve_merchant(alliance_id, merchant)
        table = read_path(file)
        started = time.perf_counter()
        with _progress() as bar:
            task = bar.add_task("members", total=len(table.rows))
            report = service.import_members(
                system_actor(alliance_id, "cli"),
                alliance_id=alliance_id,
                merchant_id=merchant_id,
                table=table,
                source_name=file.name,
                basis=basis,
                columns=columns,
                all_or_nothing=all_or_nothing,
                progress=lambda done: bar.update(task, completed=done),
            )
        _summary(report, time.perf_counter() - started, "members")


@app.command("purchases")
def import_purchases(  # noqa: PLR0917 - typer options
    file: Annotated[Path, _file()],
    alliance: Annotated[str, _alliance()],
    merchant: Annotated[
        str | None,
        typer.Option("--merchant", help="Whose purchases (default: each row's merchant column)."),
    ] = None,
    columns: Annotated[str | None, _columns()] = None,
    award_points: Annotated[
        bool, typer.Option("--award-points", help="Also award 1 point per yuan.")
    ] = False,
    all_or_nothing: Annotated[bool, _strict()] = False,
) -> None:
    """Import purchase history (member id or phone, store, occurred at, amount, order number, item count)."""
    with container_or_exit() as container:
        alliance_id = _alliance_id(container, alliance)
        service = container.members.imports
        merchant_id = service.resolve_merchant(alliance_id, merchant) if merchant else None
        table = read_path(file)
        started = time.perf_counter()
        with _progress() as bar:
            task = bar.add_task("purchases", total=len(table.rows))
            report = service.import_purchases(
                system_actor(alliance_id, "cli"),
                alliance_id=alliance_id,
                merchant_id=merchant_id,
                table=table,
                source_name=file.name,
                columns=columns,
                award_points=award_points,
                all_or_nothing=all_or_nothing,
                progress=lambda done: bar.update(task, completed=done),
            )
        _summary(report, time.perf_counter() - started, "purchases")
