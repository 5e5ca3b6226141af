"""``guildcard serve`` and ``guildcard up``."""

from __future__ import annotations

import typer
import uvicorn

from guildcard.cli.common import console, container_or_exit, settings_or_exit
from guildcard.db import schema


def serve(
    host: str = typer.Option(None, help="Bind address (default: GUILDCARD_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default: GUILDCARD_PORT or 8000)."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Start the HTTP server (API, pages, docs). The schema must be current."""
    settings = settings_or_exit()
    with container_or_exit() as container:
        schema.assert_current(container.database.engine)
    _run(host or settings.host, port or settings.port, workers)


def up(
    host: str = typer.Option(None, help="Bind address."),
    port: int = typer.Option(None, help="Port."),
) -> None:
    """Development: migrate the database under the data folder, print the URLs, serve."""
    settings = settings_or_exit()
    with container_or_exit() as container:
        schema.upgrade(container.database.engine)
        database = container.database.url.render_as_string(hide_password=True)
    host, port = host or settings.host, port or settings.port
    print_urls(host, port, database)
    _run(host, port, 1)


def print_urls(host: str, port: int, database: str) -> None:
    base = f"http://{host}:{port}"
    console.print(f"[bold]GuildCard[/] is starting on [cyan]{base}[/]  (database: {database})")
    console.print(f"  Home          {base}/")
    console.print(f"  API docs      {base}/docs")
    console.print(f"  OpenAPI       {base}/openapi.json")
    console.print(f"  Health        {base}/healthz")


def _run(host: str, port: int, workers: int) -> None:
    uvicorn.run(
        "guildcard.api.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
    )
