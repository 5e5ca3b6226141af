"""Request id and one access-log line per request (no query strings, no bodies).

Also the last line of defence: a request whose path or query carries a NUL or another control
character is refused with a problem+json 422 before any route sees it (no database stores
them), and an exception that escapes the application still answers problem+json 500 with the
request's id (never Starlette's bare "Internal Server Error", never a reset connection).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from urllib.parse import unquote

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guildcard.api import problems  # the one place that writes problem+json
from guildcard.kernel.errors import InvalidInput
from guildcard.logs import log_event, request_id_var
from guildcard.web.i18n import error_message, translations

logger = logging.getLogger("guildcard.access")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Pure ASGI middleware: sets ``X-Request-ID`` (kept from the client when sane)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((b"x-request-id", request_id.encode()))
            await send(message)

        started_response = False

        async def tracked(message: Message) -> None:
            nonlocal started_response
            if message["type"] == "http.response.start":
                started_response = True
            await send_with_id(message)

        try:
            if _has_control_characters(scope):
                await _send_problem(scope, receive, tracked, 422, "invalid_input")
            else:
                await self.app(scope, receive, tracked)
        except Exception:
            logger.exception("unhandled error")
            if started_response:
                raise  # the answer is on its way: nothing better can be sent now
            await _send_problem(scope, receive, tracked, 500, "internal_error")
        finally:
            log_event(
                logger,
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
            request_id_var.reset(token)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _has_control_characters(scope: Scope) -> bool:
    query = unquote(scope.get("query_string", b"").decode("latin-1"))
    return bool(_CONTROL.search(scope.get("path", "")) or _CONTROL.search(query))


async def _send_problem(scope: Scope, receive: Receive, send: Send, status: int, code: str) -> None:
    request = Request(scope, receive)
    language = problems.language_of(request)
    if status == 500:
        detail = translations(language).gettext("Something went wrong on our side.")
    else:
        detail = error_message(InvalidInput("The address holds a control character."), language)
    response = problems.problem(status, code, detail, language=language)
    await response(scope, receive, send)
