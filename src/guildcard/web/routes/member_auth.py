"""Member sign-in at an alliance's own address: phone, then one-time code (a new phone registers).

The forms before sign-in cannot carry the session's CSRF token, so they carry a random token
that must equal the ``gc_login_csrf`` cookie (double submit): another site cannot read it.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.alliance.domain.model import Alliance
from guildcard.api.auth import SESSION_COOKIE, clear_session_cookies, set_session_cookies
from guildcard.api.deps import client_ip
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import GuildCardError, NotFound
from guildcard.members.domain.otp import OtpPurpose
from guildcard.privacy.phones import InvalidPhone, normalize_phone
from guildcard.web.pages import ONE_YEAR, render_page
from guildcard.web.routes.member_common import (
    ALLIANCE_COOKIE,
    LOGIN_URL,
    gettext,
    notice_for,
    status_for,
)
from guildcard.web.routes.member_coupons import bind_invitation
from guildcard.web.session import check_csrf, container_of, page_actor, safe_next

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "gc_login_csrf"
HOME = "/m"


def _login_csrf(request: Request) -> str:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or getattr(request.state, "login_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.login_csrf = token
    return token


def _with_login_csrf(request: Request, response: Response) -> Response:
    if LOGIN_CSRF_COOKIE not in request.cookies:
        response.set_cookie(LOGIN_CSRF_COOKIE, _login_csrf(request), httponly=True, samesite="lax", path="/m")
    return response


def _login_csrf_ok(request: Request, submitted: str) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie, submitted)


def _find_alliance(request: Request, id_or_code: str) -> Alliance | None:
    alliance_service = container_of(request).alliance
    assert alliance_service is not None
    try:
        return alliance_service.alliances.find(id_or_code)
    except NotFound:
        return None


def _login_page(
    request: Request, alliance: Alliance, *, step: str, status_code: int = 200, **context: Any
) -> Response:
    container = container_of(request)
    context.setdefault("next", request.query_params.get("next", ""))
    response = render_page(
        request,
        "member/login.html",
        status_code=status_code,
        alliance=alliance,
        step=step,
        login_csrf=_login_csrf(request),
        dev_outbox=container.settings.is_development,
        terms_version=_current_terms_version(request, alliance),
        **context,
    )
    response.set_cookie(ALLIANCE_COOKIE, alliance.code, max_age=ONE_YEAR, samesite="lax", path="/")
    return _with_login_csrf(request, response)


def _current_terms_version(request: Request, alliance: Alliance) -> str:
    """The version a new member accepts: the alliance's current terms (shown at /m/{code}/terms)."""
    return container_of(request).members.profiles.current_terms(alliance_id=alliance.id).version


def _unknown_alliance(request: Request) -> HTMLResponse:
    return render_page(
        request,
        "member/message.html",
        status_code=404,
        title=gettext(request, "Alliance not found"),
        text=gettext(request, "This alliance does not exist."),
    )


@router.get("/m/login", response_class=HTMLResponse)
def choose_alliance(request: Request, next: str = "") -> Response:
    """Where a signed-out member is sent: their alliance's login page, or a list to choose from."""
    params = {"next": safe_next(next, HOME) if next else ""}
    params.update({k: request.query_params.get(k, "") for k in ("bye", "erased")})
    suffix = "?" + urlencode({k: v for k, v in params.items() if v}) if any(params.values()) else ""
    remembered = request.cookies.get(ALLIANCE_COOKIE)
    if remembered and _find_alliance(request, remembered):
        return RedirectResponse(f"/m/{quote(remembered)}/login{suffix}", status_code=303)
    alliance_service = container_of(request).alliance
    assert alliance_service is not None
    alliances = alliance_service.alliances.list_alliances()
    if len(alliances) == 1:
        return RedirectResponse(f"/m/{quote(alliances[0].code)}/login{suffix}", status_code=303)
    return render_page(request, "member/choose.html", alliances=alliances, suffix=suffix)


@router.get("/m/{alliance_ref}/login", response_class=HTMLResponse)
def login_form(request: Request, alliance_ref: str) -> Response:
    alliance = _find_alliance(request, alliance_ref)
    if alliance is None:
        return _unknown_alliance(request)
    actor = page_actor(request)
    if actor is not None and actor.alliance_id == alliance.id and actor.kind is ActorKind.MEMBER:
        return RedirectResponse(safe_next(request.query_params.get("next"), HOME), status_code=303)
    return _login_page(request, alliance, step="phone", phone="")


@router.get("/m/{alliance_ref}/login/code")
def back_to_login(request: Request, alliance_ref: str) -> Response:
    """The step-2 page was a form answer: a reload or a language switch goes back to step 1."""
    lang = request.query_params.get("lang")
    return RedirectResponse(
        f"/m/{quote(alliance_ref)}/login" + (f"?lang={quote(lang)}" if lang else ""), status_code=303
    )


@router.post("/m/{alliance_ref}/login/code", response_class=HTMLResponse)
def request_code(
    request: Request,
    alliance_ref: str,
    *,
    phone: str = Form(""),
    next: str = Form(""),
    login_csrf: str = Form(""),
) -> Response:
    """Step 1: send a one-time code, then ask for it (the same answer for members and newcomers)."""
    alliance = _find_alliance(request, alliance_ref)
    if alliance is None:
        return _unknown_alliance(request)
    if not _login_csrf_ok(request, login_csrf):
        return _expired_form(request, alliance, phone, next)
    try:
        sent = container_of(request).members.identity.request_code(
            alliance_id=alliance.id, phone=phone, purpose=OtpPurpose.LOGIN, client_ip=client_ip(request)
        )
    except GuildCardError as error:
        step = "code" if error.code == "members.otp_resend_too_soon" else "phone"
        return _login_page(
            request, alliance, step=step, status_code=status_for(error), phone=phone, next=next,
            error=notice_for(request, error), outbox_phone=_outbox_phone(phone),
        )  # fmt: skip
    return _login_page(
        request, alliance, step="code", phone=phone, next=next, sent=sent, outbox_phone=_outbox_phone(phone)
    )


@router.post("/m/{alliance_ref}/login", response_class=HTMLResponse)
def sign_in(
    request: Request,
    alliance_ref: str,
    *,
    phone: str = Form(""),
    code: str = Form(""),
    accept_terms: str = Form(""),
    next: str = Form(""),
    login_csrf: str = Form(""),
) -> Response:
    """Step 2: check the code; a new phone becomes a member if the terms were accepted."""
    container = container_of(request)
    alliance = _find_alliance(request, alliance_ref)
    if alliance is None:
        return _unknown_alliance(request)
    if not _login_csrf_ok(request, login_csrf):
        return _expired_form(request, alliance, phone, next)
    try:
        signed = container.members.identity.sign_in(
            alliance_id=alliance.id,
            phone=phone,
            code=code,
            client_ip=client_ip(request),
            terms_version=_current_terms_version(request, alliance) if accept_terms else None,
        )
    except GuildCardError as error:
        step = "phone" if isinstance(error, InvalidPhone) else "code"
        return _login_page(
            request, alliance, step=step, status_code=status_for(error), phone=phone, next=next,
            accept_terms=bool(accept_terms), error=notice_for(request, error),
            outbox_phone=_outbox_phone(phone),
        )  # fmt: skip
    response = RedirectResponse(safe_next(next, HOME), status_code=303)
    max_age = int((signed.expires_at - container.clock.now()).total_seconds())
    set_session_cookies(response, container=container, request=request, token=signed.token, max_age=max_age)
    response.set_cookie(ALLIANCE_COOKIE, alliance.code, max_age=ONE_YEAR, samesite="lax", path="/")
    if signed.registered:  # came through a friend's invitation link: bind them (rewards)
        bind_invitation(request, response, Actor(ActorKind.MEMBER, signed.member.member_id, alliance.id))
    return response


@router.post("/m/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    """Sign out this browser: the session is revoked, not only forgotten."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        check_csrf(request, csrf_token)
        alliance_service = container_of(request).alliance
        assert alliance_service is not None
        alliance_service.auth.logout(token)
    response = RedirectResponse(f"{LOGIN_URL}?bye=1", status_code=303)
    clear_session_cookies(response)
    return response


def _expired_form(request: Request, alliance: Alliance, phone: str, next_url: str) -> Response:
    return _login_page(
        request,
        alliance,
        step="phone",
        status_code=400,
        phone=phone,
        next=next_url,
        error=gettext(request, "The page had expired. Please try again."),
    )


def _outbox_phone(phone: str) -> str:
    """The phone as the development outbox expects it (E.164), or as typed when not valid."""
    try:
        return normalize_phone(phone)
    except InvalidPhone:
        return phone.strip()
