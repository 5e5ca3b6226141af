"""The membership terms: a public page per alliance, and the page that asks a member to agree again.

When the alliance publishes a new terms version, every member page (``member_common.member``)
sends a signed-in member here until they agree to it or sign out.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.kernel.actors import ActorKind
from guildcard.kernel.errors import NotFound
from guildcard.web.pages import render_page
from guildcard.web.routes.member_common import AGREE_URL, LOGIN_URL, gettext
from guildcard.web.session import check_csrf, container_of, require_actor, safe_next

router = APIRouter(include_in_schema=False)
HOME = "/m"


@router.get("/m/{alliance_ref}/terms", response_class=HTMLResponse)
def terms_page(request: Request, alliance_ref: str) -> Response:
    """The alliance's current terms and privacy notice, readable before signing in."""
    container = container_of(request)
    assert container.alliance is not None
    try:
        alliance = container.alliance.alliances.find(alliance_ref)
    except NotFound:
        return render_page(
            request, "member/message.html", status_code=404, title=gettext(request, "Alliance not found"),
            text=gettext(request, "This alliance does not exist."),
        )  # fmt: skip
    terms = container.members.profiles.current_terms(alliance_id=alliance.id)
    return render_page(
        request, "member/terms.html", alliance=alliance, terms=terms, paragraphs=_paragraphs(terms.body)
    )


def _agree_page(request: Request, *, status_code: int = 200, error: str = "") -> Response:
    actor = require_actor(request, ActorKind.MEMBER, login_url=LOGIN_URL)
    container = container_of(request)
    next_url = safe_next(request.query_params.get("next"), HOME)
    terms = container.members.profiles.terms_to_agree(alliance_id=actor.alliance_id, member_id=actor.id)
    if terms is None:
        return RedirectResponse(next_url, status_code=303)
    assert container.alliance is not None
    alliance = container.alliance.alliances.find(actor.alliance_id)
    return render_page(
        request, "member/terms_agree.html", status_code=status_code, alliance=alliance, terms=terms,
        paragraphs=_paragraphs(terms.body), next=next_url, error=error,
    )  # fmt: skip


@router.get(AGREE_URL, response_class=HTMLResponse)
def agree_form(request: Request) -> Response:
    return _agree_page(request)


@router.post(AGREE_URL, response_class=HTMLResponse)
def agree(
    request: Request, version: str = Form(""), next: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Record the agreement to the version shown, if it is still the current one."""
    actor = require_actor(request, ActorKind.MEMBER, login_url=LOGIN_URL)
    check_csrf(request, csrf_token)
    profiles = container_of(request).members.profiles
    terms = profiles.terms_to_agree(alliance_id=actor.alliance_id, member_id=actor.id)
    if terms is not None:
        if terms.version != version.strip():  # a newer version was published while they read
            message = gettext(request, "The terms changed while you were reading. Please read them again.")
            return _agree_page(request, status_code=409, error=message)
        profiles.agree_to_terms(alliance_id=actor.alliance_id, member_id=actor.id, version=terms.version)
    return RedirectResponse(safe_next(next, HOME), status_code=303)


def _paragraphs(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip()]
