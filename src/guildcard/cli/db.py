"""``guildcard db``: schema migrations."""

from __future__ import annotations

import typer

from guildcard.cli.common import console, container_or_exit
from guildcard.db import schema

app = typer.Typer(help="Database schema: apply and inspect migrations.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply every pending migration (all context branches, to heads)."""
    with container_or_exit() as container:
        schema.upgrade(container.database.engine)
        revisions = ", ".join(sorted(schema.current_revisions(container.database.engine)))
        console.print(f"[green]schema current[/] ({container.database.backend}): {revisions}")


@app.command()
def current() -> None:
    """Show the applied revisions and whether the schema is current."""
    with container_or_exit() as container:
        applied = schema.current_revisions(container.database.engine)
        heads = schema.head_revisions()
        console.print(f"applied: {', '.join(sorted(applied)) or '(none)'}")
        console.print(f"heads:   {', '.join(sorted(heads))}")
        if applied != heads:
            console.print("[yellow]schema is not current: run `guildcard db upgrade`[/]")
            raise typer.Exit(1)
        console.print("[green]schema is current[/]")
