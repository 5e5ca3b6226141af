"""The one mapping from error kinds to HTTP, as application/problem+json (RFC 9457).

``detail`` is in the language the client's ``Accept-Language`` prefers (zh-CN or English),
translated through the pages' catalogs; without the header it stays English, as integrators
have always had it. ``Content-Language`` says which one was used. ``code`` never changes.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from guildcard.api.auth_first import authenticate_first
from guildcard.kernel import errors
from guildcard.logs import request_id_var
from guildcard.web.i18n import error_message, preferred_language, translations

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

API_DEFAULT_LANGUAGE = "en"  # the pages default to zh-CN; API clients that send no header keep English

logger = logging.getLogger("guildcard.api")


def status_for(error: errors.GuildCardError) -> int:
    for kind, status in STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 500


def language_of(request: Request) -> str:
    return preferred_language(request.headers.get("accept-language"), default=API_DEFAULT_LANGUAGE)


def problem(status: int, code: str, detail: str, *, language: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://guildcard.dev/problems/{code}",
        "title": code,
        "status": status,
        "code": code,
        "detail": detail,
        "request_id": request_id_var.get(),
        **extra,
    }
    headers = {"Content-Language": language, "Vary": "Accept-Language"}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _on_guildcard_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.GuildCardError)
    status = status_for(exc)
    if status >= 500:
        logger.error("request failed: %s", exc.code)
    details = {k: v for k, v in exc.details.items() if _jsonable(v)}
    language = language_of(request)
    return problem(status, exc.code, error_message(exc, language), language=language, **details)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    try:
        await run_in_threadpool(authenticate_first, request)  # 401/403 before a 422 that names fields
    except errors.GuildCardError as refused:
        return await _on_guildcard_error(request, refused)
    fields = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
            "message": err.get("msg"),
        }
        for err in exc.errors()
    ]
    # Each field's ``message`` is pydantic's own English; the summary follows the client's language.
    language = language_of(request)
    detail = error_message(errors.InvalidInput(), language)
    return problem(422, "invalid_input", detail, language=language, errors=fields)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    language = language_of(request)
    detail = translations(language).gettext(str(exc.detail))  # Starlette's phrases ("Not Found")
    answer = problem(exc.status_code, code, detail, language=language)
    answer.headers.update(exc.headers or {})
    if exc.status_code == 405:  # every method the path has, not only those of the first route matched
        answer.headers["Allow"] = ", ".join(allowed_methods(request))
    return answer


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists for the request's path (a literal path before templates)."""
    paths = request.app.openapi().get("paths", {})
    path = request.url.path
    matching = [path] if path in paths else [t for t in paths if compile_path(t)[0].match(path)]
    return sorted({method.upper() for t in matching for method in paths[t] if method != "parameters"})


async def _on_data_error(request: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot hold (a NUL in a text, a number out of range): the client's input."""
    logger.warning("database refused a value: %s", type(getattr(exc, "orig", exc)).__name__)
    language = language_of(request)
    detail = error_message(errors.InvalidInput("A value cannot be stored as given."), language)
    return problem(422, "invalid_input", detail, language=language)


async def _on_database_busy(request: Request, exc: Exception) -> JSONResponse:
    """No connection free in time, a lock wait past lock_timeout, a dropped connection: retry soon."""
    logger.warning("database busy or unreachable: %s", type(getattr(exc, "orig", exc)).__name__)
    language = language_of(request)
    detail = error_message(errors.Unavailable(), language)
    return problem(503, "unavailable", detail, language=language, retry_after=1)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error", exc_info=exc)
    language = language_of(request)
    detail = translations(language).gettext("Something went wrong on our side.")
    return problem(500, "internal_error", detail, language=language)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.GuildCardError, _on_guildcard_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(DataError, _on_data_error)
    for busy in (PoolTimeout, OperationalError):
        app.add_exception_handler(busy, _on_database_busy)
    app.add_exception_handler(Exception, _on_unexpected)


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | bool | list | dict | None)
