"""``guildcard alliance``: create and list alliances (a deployment-level act)."""

from __future__ import annotations

import typer

from guildcard.cli.common import console, container_or_exit

app = typer.Typer(
    help="Alliances: create one with its first admin operator, list them.", no_args_is_help=True
)


@app.command()
def create(
    name: str = typer.Option(..., help="Display name, e.g. 黄浦商圈联盟."),
    code: str = typer.Option(..., help="Short code (slug), e.g. shanghai-huangpu."),
    city: str = typer.Option("上海", help="City."),
    admin_login: str = typer.Option(..., help="Login of the first admin operator."),
) -> None:
    """Create an alliance and its first admin; prints a generated one-time initial password."""
    with container_or_exit() as container:
        assert container.alliance is not None
        created = container.alliance.alliances.create_alliance(
            code=code, name=name, city=city, admin_login=admin_login
        )
    console.print(f"[green]alliance created[/] {created.alliance.id} ({created.alliance.code})")
    console.print(f"admin login:      {created.admin.login}")
    console.print(f"initial password: {created.initial_password}   (shown once; change it after signing in)")


@app.command("list")
def list_() -> None:
    """List the alliances of this deployment."""
    with container_or_exit() as container:
        assert container.alliance is not None
        for alliance in container.alliance.alliances.list_alliances():
            console.print(f"{alliance.id}  {alliance.code}  {alliance.name}  {alliance.city}")
