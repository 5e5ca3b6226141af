"""Dependencies shared by the alliance routers: services, idempotency key, client address."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Response
from pydantic import BeforeValidator

from guildcard.alliance.services.facade import AllianceServices
from guildcard.api.deps import ContainerDep


def get_alliance_services(container: ContainerDep) -> AllianceServices:
    assert container.alliance is not None, "bootstrap wires the alliance services"
    return container.alliance


Services = Annotated[AllianceServices, Depends(get_alliance_services)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="Makes the request safe to retry: a replay returns the first result "
        "(`Idempotent-Replayed: true`); the same key with another body is 409 `idempotency_conflict`.",
    ),
]


def mark_replay(response: Response, replayed: bool) -> None:
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"


PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in (problem+json, `unauthenticated`)."},
    403: {"description": "Your role may not do this (problem+json, `permission_denied`)."},
    404: {"description": "No such object, or not yours (problem+json, `not_found`)."},
    422: {"description": "Invalid input (problem+json with a stable `code`)."},
}


def _iso_only(value: object) -> object:
    """A query's time is ISO 8601 text; a bare number (pydantic would read it as Unix time) is refused."""
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?[\d.eE+-]+\s*", value):
        raise ValueError("an ISO 8601 date-time is expected")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_only)]
