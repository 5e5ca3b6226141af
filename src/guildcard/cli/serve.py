"""``guildcard serve`` and ``guildcard up``."""

from __future__ import annotations

from typing import Any

import typer
import uvicorn

from guildcard.cli.common import console, container_or_exit, settings_or_exit
from guildcard.db import schema
from guildcard.kernel.errors import InsecureSettings
from guildcard.settings import Settings


def serve(
    host: str = typer.Option(None, help="Bind address (default: GUILDCARD_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default: GUILDCARD_PORT or 8000)."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Start the HTTP server (API, pages, docs). The schema must be current."""
    settings = settings_or_exit()
    try:
        settings.check_workers(workers)
    except InsecureSettings as refused:
        console.print(f"[red]{refused.message}[/]")
        raise typer.Exit(2) from refused
    if workers > 1 and not settings.shared_rate_limits:
        console.print("[yellow]Each worker keeps its own rate-limit counters (development only).[/]")
    with container_or_exit() as container:
        schema.assert_current(container.database.engine)
    _run(settings, host or settings.host, port or settings.port, workers)


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
    _run(settings, host, port, 1)


def print_urls(host: str, port: int, database: str) -> None:
    base = f"http://{host}:{port}"
    console.print(f"[bold]GuildCard[/] is starting on [cyan]{base}[/]  (database: {database})")
    console.print(f"  Home          {base}/")
    console.print(f"  API docs      {base}/docs")
    console.print(f"  OpenAPI       {base}/openapi.json")
    console.print(f"  Health        {base}/healthz")


def uvicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """How the server runs: forwarded headers are believed only from GUILDCARD_TRUSTED_PROXIES."""
    proxies = settings.uvicorn_proxy_options()
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "log_config": None,
        "access_log": False,
        "proxy_headers": bool(proxies["proxy_headers"]),
        "forwarded_allow_ips": str(proxies["forwarded_allow_ips"]),
    }


def _run(settings: Settings, host: str, port: int, workers: int) -> None:
    uvicorn.run("guildcard.api.asgi:create", factory=True, **uvicorn_options(settings, host, port, workers))
