"""``guildcard serve`` and ``guildcard up``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
import uvicorn

from guildcard.bootstrap import bootstrap
from guildcard.cli.common import console, container_or_exit, settings_or_exit
from guildcard.cli.worker import start_in_background
from guildcard.db import schema
from guildcard.kernel.errors import InsecureSettings
from guildcard.logs import configure_logging
from guildcard.settings import Settings

# uvicorn's supervisor pings each worker and kills one that does not answer within this many
# seconds. A worker answers only once its interpreter has re-imported the CLI (spawn runs the
# console script again, about 4 s of CPU), so uvicorn's 5 s default killed and respawned both
# workers forever on a loaded machine: ``--workers 2`` never became healthy.
WORKER_HEALTHCHECK_SECONDS = 120


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
    configure_logging(settings.log_level)  # the supervisor's own lines (a worker died) reach the log
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
    with background_worker():
        _run(settings, host, port, 1)


@contextmanager
def background_worker() -> Iterator[None]:
    """One worker thread beside the server: the outbox, webhooks and due jobs keep moving."""
    container = bootstrap(settings_or_exit())
    stop = start_in_background(container)
    console.print("  Worker        one in this process (run more with `guildcard worker`)")
    try:
        yield
    finally:
        stop.set()
        container.close()


def print_urls(host: str, port: int, database: str) -> None:
    base = f"http://{host}:{port}"
    console.print(f"[bold]GuildCard[/] is starting on [cyan]{base}[/]  (database: {database})")
    console.print(f"  Home          {base}/")
    console.print(f"  API docs      {base}/docs")
    console.print(f"  OpenAPI       {base}/openapi.json")
    console.print(f"  Health        {base}/healthz")


def uvicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """How the server runs: forwarded headers are believed only from GUILDCARD_TRUSTED_PROXIES;
    workers get time to start on a busy machine."""
    proxies = settings.uvicorn_proxy_options()
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS,
        "log_config": None,
        "access_log": False,
        "proxy_headers": bool(proxies["proxy_headers"]),
        "forwarded_allow_ips": str(proxies["forwarded_allow_ips"]),
    }


def _run(settings: Settings, host: str, port: int, workers: int) -> None:
    uvicorn.run("guildcard.api.asgi:create", factory=True, **uvicorn_options(settings, host, port, workers))
