"""Annotated dependencies: routes declare what they need, the container provides it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from guildcard.bootstrap import Container
from guildcard.db.engine import Database
from guildcard.kernel.clock import Clock


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_database(request: Request) -> Database:
    return get_container(request).database


def client_ip(request: Request) -> str:
    """The address rate limits count by (behind a proxy, configure it to pass the client's)."""
    return request.client.host if request.client else "unknown"


def get_clock(request: Request) -> Clock:
    return get_container(request).clock


ContainerDep = Annotated[Container, Depends(get_container)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ClockDep = Annotated[Clock, Depends(get_clock)]
ClientIp = Annotated[str, Depends(client_ip)]
