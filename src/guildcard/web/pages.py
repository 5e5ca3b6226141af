"""What every page route needs: the language, rendering, the language cookie."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from guildcard.web.i18n import LANGUAGE_COOKIE, pick_language
from guildcard.web.templating import Renderer

_renderer = Renderer()
ONE_YEAR = 365 * 24 * 3600


def language_of(request: Request) -> str:
    return pick_language(
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )


def render_page(request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = language_of(request)
    html = _renderer.render(template, language=language, request=request, **context)
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR, samesite="lax")
    return response
