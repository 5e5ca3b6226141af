"""Liveness and readiness: the database answers and its schema is current."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from guildcard import __version__
from guildcard.api.deps import DatabaseDep
from guildcard.db import schema

router = APIRouter(tags=["health"])


class HealthRead(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: Literal["sqlite", "postgresql"]
    database_reachable: bool
    schema_current: bool
    schema_revisions: list[str]


@router.get("/healthz", response_model=HealthRead, responses={503: {"model": HealthRead}})
def healthz(database: DatabaseDep) -> JSONResponse:
    reachable, current, revisions = True, False, []
    try:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revisions = sorted(schema.current_revisions(database.engine))
        current = set(revisions) == schema.head_revisions()
    except SQLAlchemyError:
        reachable = False
    body = HealthRead(
        status="ok" if reachable and current else "degraded",
        version=__version__,
        database=database.backend,  # type: ignore[arg-type]
        database_reachable=reachable,
        schema_current=current,
        schema_revisions=revisions,
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.status == "ok" else 503)
