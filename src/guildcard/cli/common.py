"""Helpers shared by CLI commands: settings, container, error display."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from guildcard.bootstrap import Container, bootstrap
from guildcard.kernel.errors import GuildCardError
from guildcard.settings import Settings, load_settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except GuildCardError as exc:
        print_error(exc)
        raise typer.Exit(2) from exc


def print_error(exc: GuildCardError) -> None:
    err_console.print(f"[bold red]error[/] {escape(f'[{exc.code}]')} {escape(exc.message)}")


@contextmanager
def container_or_exit() -> Iterator[Container]:
    container = bootstrap(settings_or_exit())
    try:
        yield container
    except GuildCardError as exc:
        print_error(exc)
        raise typer.Exit(1) from exc
    finally:
        container.close()
