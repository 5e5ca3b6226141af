"""The OpenAPI document says what the API really answers: every problem status, as problem+json.

FastAPI documents a route's success and its own 422 (``application/json``); everything else an
operation can answer comes from the app's shared machinery, so it is added here, once, for every
operation under ``/api``:

- 422 (``invalid_input``), 503 with ``Retry-After`` (the database busy) everywhere; 400 where a
  body is read (it cannot be parsed); 401 and 403 where a caller is needed; 404 where the path
  names an object; 409 on writes (an ``Idempotency-Key`` reused with another body). Every 4xx/5xx
  is ``application/problem+json`` with the ``Problem`` schema, whatever the route wrote.
- Text parameters (path, query) hold no control characters: the request context refuses them
  (422), so the schema says so with a ``pattern``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from guildcard.api.auth_first import needs_actor
from guildcard.api.problems import PROBLEM_JSON

NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001F\\u007F]*$"
WRITES = {"post", "put", "patch", "delete"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable: clients switch on it."},
        "detail": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    400: "The body cannot be parsed (`http_400`).",
    401: "No, an unknown, expired or revoked credential (`unauthenticated`).",
    403: "The role lacks the route's permission, or a cookie session lacks its CSRF token.",
    404: "No such object, or not yours.",
    409: "A conflict: the object's state, or an `Idempotency-Key` reused with another body.",
    422: "Invalid input (`invalid_input` with `errors`, or the context's code).",
    503: "The database is busy or was unreachable: retry after `Retry-After` seconds.",
}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            app.openapi_schema = truthful(document, _guarded(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def truthful(document: dict[str, Any], guarded: set[tuple[str, str]]) -> dict[str, Any]:
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, item in document.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                _complete(path, method, operation, (method.upper(), path) in guarded)
    return document


def _complete(path: str, method: str, operation: dict[str, Any], guarded: bool) -> None:
    statuses = {422, 503}
    if "requestBody" in operation:
        statuses.add(400)
    if guarded:
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if method in WRITES:
        statuses.add(409)
    responses = operation["responses"]
    for status in statuses:
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
    for status, response in responses.items():
        if status[:1] in {"4", "5"}:
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            if status == "503":
                response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    for parameter in operation.get("parameters", []):
        if parameter.get("in") in {"path", "query"}:
            _no_control_characters(parameter.get("schema", {}))


def _no_control_characters(schema: dict[str, Any]) -> None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(option):
            option["pattern"] = NO_CONTROL_CHARACTERS


def _guarded(app: FastAPI) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation that needs a caller (``current_actor`` among its dependencies)."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute) and needs_actor(route.dependant):
                path = route.path if route.path.startswith(prefix) else prefix + route.path
                found.update((m, path) for m in route.methods or ())
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + route.include_context.prefix)

    walk(app.routes, "")
    return found
