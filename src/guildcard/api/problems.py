"""The one mapping from error kinds to HTTP, as application/problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from guildcard.kernel import errors
from guildcard.logs import request_id_var

PROBLEM_JSON = "application/problem+json"

# Most specific first: the first kind an error is an instance of decides its status.
STATUS_BY_KIND: list[tuple[type[errors.GuildCardError], int]] = [
    (errors.IdempotencyConflict, 409),
    (errors.InvalidInput, 422),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.RuleViolation, 422),
    (errors.Unauthenticated, 401),
    (errors.PermissionDenied, 403),
    (errors.RateLimited, 429),
    (errors.Unavailable, 503),
]

_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    401: "unauthenticated",
    403: "permission_denied",
}

logger = logging.getLogger("guildcard.api")


def status_for(error: errors.GuildCardError) -> int:
    for kind, status in STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 500


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://guildcard.dev/problems/{code}",
        "title": code,
        "status": status,
        "code": code,
        "detail": detail,
        "request_id": request_id_var.get(),
        **extra,
    }
    headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _on_guildcard_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.GuildCardError)
    status = status_for(exc)
    if status >= 500:
        logger.error("request failed: %s", exc.code)
    details = {k: v for k, v in exc.details.items() if _jsonable(v)}
    return problem(status, exc.code, exc.message, **details)


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
            "message": err.get("msg"),
        }
        for err in exc.errors()
    ]
    return problem(422, "invalid_input", "The request is not valid.", errors=fields)


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return problem(exc.status_code, code, str(exc.detail))


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error", exc_info=exc)
    return problem(500, "internal_error", "Something went wrong on our side.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.GuildCardError, _on_guildcard_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | bool | list | dict | None)
