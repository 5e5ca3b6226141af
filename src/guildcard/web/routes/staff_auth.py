"""Merchant staff sign in at ``/staff/login`` (alliance code, login, password), activate, sign out.

Also the helpers the counter and merchant pages share: who the signed-in staff member is, and a
service error turned into a notice the page shows (translated for the common codes).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.alliance.services.auth import SESSION_TTL
from guildcard.alliance.services.facade import AllianceServices
from guildcard.api.auth import SESSION_COOKIE, clear_session_cookies, set_session_cookies
from guildcard.api.deps import client_ip
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import GuildCardError
from guildcard.web.i18n import error_message
from guildcard.web.pages import language_of, render_page
from guildcard.web.session import (
    LoginRequired,
    check_csrf,
    container_of,
    page_actor,
    require_actor,
    safe_next,
    sole_alliance_code,
)

router = APIRouter(include_in_schema=False)

LOGIN_URL = "/staff/login"
ALLIANCE_COOKIE = "gc_staff_alliance"  # the alliance code, remembered for the next sign-in
ONE_YEAR = 365 * 24 * 3600


def message_of(request: Request, error: GuildCardError) -> str:
    """What a page shows for a service error, in the page's language."""
    return error_message(error, language_of(request))


def require_staff(request: Request, *roles: str) -> Actor:
    """The signed-in merchant staff member (of one of ``roles`` if given), else off to the login page."""
    actor = require_actor(request, ActorKind.STAFF, login_url=LOGIN_URL)
    if roles and actor.role not in roles:
        raise LoginRequired(_home_of(actor))  # e.g. a cashier opening the owner's pages
    return actor


def alliance_services(request: Request) -> AllianceServices:
    services = container_of(request).alliance
    assert services is not None, "the alliance context is wired in bootstrap"
    return services


def _home_of(actor: Actor | None) -> str:
    return "/merchant" if actor is not None and actor.role in ("owner", "manager") else "/counter"


@router.get("/staff/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render_page(
        request,
        "staff/login.html",
        next=next or "",
        alliance=request.cookies.get(ALLIANCE_COOKIE) or sole_alliance_code(container_of(request)),
        login="",
        error=None,
    )


@router.post("/staff/login", response_model=None)
def login(
    request: Request,
    alliance: Annotated[str, Form()] = "",
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        session = alliance_services(request).auth.login(
            alliance=alliance.strip(),
            login=login,
            password=password,
            client_ip=client_ip(request),
        )
    except GuildCardError as error:
        return render_page(
            request,
            "staff/login.html",
            status_code=401 if error.code == "alliance.bad_credentials" else 422,
            next=next,
            alliance=alliance,
            login=login,
            error=message_of(request, error),
        )
    if session.actor.kind is not ActorKind.STAFF:
        # Operators have their own console and sign-in page.
        alliance_services(request).auth.logout(session.token)
        return render_page(
            request,
            "staff/login.html",
            status_code=401,
            next=next,
            alliance=alliance,
            login=login,
            error="Operators sign in to the operator console.",
        )
    response = RedirectResponse(safe_next(next, _home_of(session.actor)), status_code=303)
    set_session_cookies(
        response,
        container=container_of(request),
        request=request,
        token=session.token,
        max_age=int(SESSION_TTL.total_seconds()),
    )
    response.set_cookie(ALLIANCE_COOKIE, alliance.strip(), max_age=ONE_YEAR, samesite="lax")
    return response


@router.post("/staff/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    check_csrf(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        alliance_services(request).auth.logout(token)
    response = RedirectResponse(LOGIN_URL, status_code=303)
    clear_session_cookies(response)
    return response


@router.get("/staff/activate", response_class=HTMLResponse)
def activate_page(request: Request, token: str = "") -> HTMLResponse:
    return render_page(request, "staff/activate.html", token=token, error=None, done=False)


@router.post("/staff/activate", response_class=HTMLResponse)
def activate(
    request: Request,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    repeat: Annotated[str, Form()] = "",
) -> HTMLResponse:
    error = None
    if password != repeat:
        error = "The two passwords differ."
    else:
        try:
            alliance_services(request).auth.activate(token=token, password=password)
        except GuildCardError as failure:
            error = message_of(request, failure)
    return render_page(
        request,
        "staff/activate.html",
        status_code=422 if error else 200,
        token=token,
        error=error,
        done=error is None,
    )


def signed_in_staff(request: Request) -> Actor | None:
    actor = page_actor(request)
    return actor if actor is not None and actor.kind is ActorKind.STAFF else None
