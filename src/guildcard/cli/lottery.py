"""``guildcard lottery verify CAMPAIGN``: recompute every draw of a lottery from its revealed seed."""

from __future__ import annotations

import typer
from rich.markup import escape

from guildcard.cli.common import console, container_or_exit, err_console
from guildcard.rewards.queries.lottery import LotteryQueries, campaign_alliance

app = typer.Typer(help="The lottery: check that every draw was fair.", no_args_is_help=True)


@app.command()
def verify(campaign: str = typer.Argument(..., help="The campaign id (lot_...).")) -> None:
    """Check the commitment, every draw's number, prize, stock and signature; exit 1 on any problem."""
    with container_or_exit() as container, container.database.read() as conn:
        alliance_id = campaign_alliance(conn, campaign)
        if alliance_id is None:
            err_console.print(f"[red]no such campaign[/] {escape(campaign)}")
            raise typer.Exit(2)
        report = LotteryQueries(conn, alliance_id).verify(campaign)
    if report.seed is None:
        console.print("the seed is not revealed yet: signatures and stock checked, draws not recomputed")
    for where, problem in report.problems:
        err_console.print(f"[red]problem[/] {escape(f'{where}: {problem}')}")
    if report.problems:
        err_console.print(f"{len(report.problems)} problem(s) in {report.draws} draws")
        raise typer.Exit(1)
    console.print(
        f"[green]ok[/] {campaign}: {report.draws} draws verified against commitment {report.commitment}"
    )
