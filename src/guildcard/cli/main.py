"""The ``guildcard`` command."""

from __future__ import annotations

import typer

from guildcard import __version__
from guildcard.cli import (
    alliance,
    bench,
    db,
    demo,
    imports,
    insights,
    jobs,
    ledger,
    lottery,
    members,
    serve,
    settle,
    worker,
)

app = typer.Typer(
    help="GuildCard: coalition loyalty (异业联盟). Every command has --help.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(alliance.app, name="alliance")
app.add_typer(ledger.app, name="ledger")
app.add_typer(jobs.app, name="jobs")
app.add_typer(bench.app, name="bench")
app.add_typer(lottery.app, name="lottery")
app.add_typer(imports.app, name="import")
app.add_typer(members.app, name="members")
app.add_typer(insights.app, name="insights")
app.command()(serve.serve)
app.command()(serve.up)
app.command(name="settle")(settle.settle)
app.command()(demo.demo)
app.command()(worker.worker)


@app.command()
def version() -> None:
    """Print the GuildCard version."""
    typer.echo(__version__)


if __name__ == "__main__":
    app()
