"""The member H5 (mobile first): the card, points history, merchant directory and settings."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from guildcard.api.auth import clear_session_cookies
from guildcard.automation.queries import console as inbox_queries
from guildcard.bootstrap import Container
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError
from guildcard.members.domain import member_code
from guildcard.members.domain.model import ConsentKind, current_consents
from guildcard.members.qr import qr_svg
from guildcard.web.pages import render_page
from guildcard.web.routes import member_reads
from guildcard.web.routes.member_common import CONSENT_VERSION, gettext, member, notice_for, status_for
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
# The optional consents, each its own switch (the terms are accepted on joining and stay).
OPTIONAL_CONSENTS = (ConsentKind.MARKETING, ConsentKind.SHARING, ConsentKind.PHONE_LOOKUP)


def loyalty_card(container: Container, actor: Actor) -> dict[str, Any]:
    """The tier (colour, progress, retention, benefits), the paid card and the wallet, for the card page."""
    standing = container.tiers.standing(alliance_id=actor.alliance_id, member_id=actor.id)
    cards = container.cards.cards_of(alliance_id=actor.alliance_id, member_id=actor.id)
    plans = {p.plan_id: p for p in container.cards.plans(alliance_id=actor.alliance_id)}
    now = container.clock.now()
    valid = [c for c in cards if c["ends_at"] > now]
    return {
        "standing": standing,
        "tier": standing.tier,
        "progress": standing.progress,
        "paid_card": ({**valid[0], "plan": plans.get(valid[0]["plan_id"])} if valid else None),
        "wallet": container.wallets.balance(alliance_id=actor.alliance_id, member_id=actor.id),
        "tier_history": container.tiers.history(alliance_id=actor.alliance_id, member_id=actor.id)[:5],
        "tier_names": {t.code: t.name for t in standing.scheme.tiers},
    }


def _alliance_name(container: Container, alliance_id: str) -> str:
    assert container.alliance is not None
    return container.alliance.alliances.find(alliance_id).name


def _page(request: Request, template: str, actor: Actor, *, tab: str, **context: Any) -> HTMLResponse:
    container = container_of(request)
    response = render_page(
        request,
        template,
        tab=tab,
        alliance_name=_alliance_name(container, actor.alliance_id),
        **context,
    )
    response.headers.update(NO_STORE)
    return response


def _unread(container: Container, actor: Actor) -> int:
    with container.database.read() as conn:
        return inbox_queries.unread(conn, actor.alliance_id, actor.id)


@router.get("/m", response_class=HTMLResponse)
def card(request: Request) -> HTMLResponse:
    actor = member(request)
    container = container_of(request)
    profile = container.members.profiles.get(alliance_id=actor.alliance_id, member_id=actor.id)
    shown = container.members.member_codes.show_member_code(alliance_id=actor.alliance_id, member_id=actor.id)
    return _page(
        request,
        "member/card.html",
        actor,
        tab="card",
        profile=profile,
        **loyalty_card(container, actor),
        code=shown,
        step_seconds=member_code.STEP_SECONDS,
        qr=Markup(qr_svg(shown.digits)),  # noqa: S704 - segno's SVG of digits only
        summary=member_reads.summary(container, actor.alliance_id, actor.id),
        expiring_days=member_reads.EXPIRING_DAYS,
        visit=member_reads.recent_visit(container, actor.alliance_id, actor.id),
        unread=_unread(container, actor),
    )


@router.post("/m/card/activate")
def activate_card(request: Request, code: str = Form(""), csrf_token: str = Form("")) -> Response:
    """A paid card's activation code (卡密), typed by the member; back to the card with the outcome."""
    actor = member(request)
    check_csrf(request, csrf_token)
    container = container_of(request)
    try:
        container.cards.activate(
            actor,
            member_id=actor.id,
            code=code,
            idempotency_key=f"activate:{actor.id}:{code.strip().upper()}",
        )
    except GuildCardError as exc:
        return RedirectResponse(f"/m?card_error={exc.code}", status_code=303)
    return RedirectResponse("/m?card=activated", status_code=303)


@router.get("/m/history", response_class=HTMLResponse)
def history(request: Request) -> HTMLResponse:
    actor = member(request)
    container = container_of(request)
    return _page(
        request,
        "member/history.html",
        actor,
        tab="history",
        movements=member_reads.movements(container, actor.alliance_id, actor.id),
        expiries=member_reads.expiry_groups(container, actor.alliance_id, actor.id),
        summary=member_reads.summary(container, actor.alliance_id, actor.id),
    )


@router.get("/m/merchants", response_class=HTMLResponse)
def merchants(request: Request, q: str = "") -> HTMLResponse:
    actor = member(request)
    groups = member_reads.directory(container_of(request), actor.alliance_id, q[:40])
    return _page(
        request,
        "member/merchants.html",
        actor,
        tab="merchants",
        query=q[:40],
        groups=groups,
        count=member_reads.merchant_count(groups),
    )


def _settings_page(
    request: Request, actor: Actor, *, status_code: int = 200, **context: object
) -> HTMLResponse:
    container = container_of(request)
    profile = container.members.profiles.get(alliance_id=actor.alliance_id, member_id=actor.id)
    current = current_consents(
        container.members.profiles.consents(alliance_id=actor.alliance_id, member_id=actor.id)
    )
    response = _page(
        request,
        "member/settings.html",
        actor,
        tab="settings",
        profile=profile,
        phone=profile.phone.removeprefix("+86") if profile.phone else "",
        terms=current.get(ConsentKind.TERMS),
        consents=[(kind, current.get(kind)) for kind in OPTIONAL_CONSENTS],
        **context,
    )
    response.status_code = status_code
    return response


@router.get("/m/settings", response_class=HTMLResponse)
def settings(request: Request, saved: str = "") -> HTMLResponse:
    actor = member(request)
    known = {kind.value for kind in OPTIONAL_CONSENTS}
    return _settings_page(request, actor, saved=saved in known, profile_saved=saved == "profile")


@router.post("/m/settings/consents")
def set_consent(
    request: Request, kind: str = Form(""), granted: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """One consent switched on or off; back to the settings page (post/redirect/get)."""
    actor = member(request)
    check_csrf(request, csrf_token)
    if kind not in {k.value for k in OPTIONAL_CONSENTS}:
        return _settings_page(request, actor, status_code=422, error=gettext(request, "Unknown consent."))
    try:
        container_of(request).members.profiles.set_consent(
            alliance_id=actor.alliance_id,
            member_id=actor.id,
            kind=ConsentKind(kind),
            granted=granted == "1",
            version=CONSENT_VERSION,
        )
    except GuildCardError as error:
        return _settings_page(request, actor, status_code=status_for(error), error=notice_for(request, error))
    return RedirectResponse(f"/m/settings?saved={kind}#consents", status_code=303)


@router.post("/m/settings/profile")
def update_profile(
    request: Request, display_name: str = Form(""), birthday: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """The member's name (any time) and birthday (once: it drives the birthday gift), through the
    members' ``UpdateProfile`` handler; back to the settings page with what was typed on an error."""
    actor = member(request)
    check_csrf(request, csrf_token)
    changes: dict[str, Any] = {"display_name": display_name.strip() or None}
    try:
        if birthday.strip():
            changes["birthday"] = date.fromisoformat(birthday.strip())
    except ValueError:
        message = gettext(request, "Give your birthday as a date.")
        return _settings_page(request, actor, status_code=422, error=message, typed=changes)
    try:
        container_of(request).members.profiles.update(
            alliance_id=actor.alliance_id, member_id=actor.id, changes=changes
        )
    except GuildCardError as error:
        return _settings_page(
            request, actor, status_code=status_for(error), error=notice_for(request, error), typed=changes
        )
    return RedirectResponse("/m/settings?saved=profile#profile", status_code=303)


@router.get("/m/settings/export")
def export(request: Request) -> Response:
    """Everything the members records hold about the member, as a JSON file to keep."""
    actor = member(request)
    data = container_of(request).members.privacy.export(alliance_id=actor.alliance_id, member_id=actor.id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    headers = {**NO_STORE, "Content-Disposition": 'attachment; filename="guildcard-member-export.json"'}
    return Response(body, media_type="application/json", headers=headers)


@router.get("/m/settings/erase", response_class=HTMLResponse)
def erase_confirm(request: Request) -> HTMLResponse:
    actor = member(request)
    return _page(request, "member/erase.html", actor, tab="settings")


@router.post("/m/settings/erase")
def erase(request: Request, confirm: str = Form(""), csrf_token: str = Form("")) -> Response:
    """Erase the member's identity after an explicit confirmation; every session ends."""
    actor = member(request)
    check_csrf(request, csrf_token)
    if confirm != "yes":
        return _page(
            request,
            "member/erase.html",
            actor,
            tab="settings",
            error=gettext(request, "Please tick the box to confirm."),
        )
    container_of(request).members.privacy.erase(alliance_id=actor.alliance_id, member_id=actor.id)
    response = RedirectResponse("/m/login?erased=1", status_code=303)
    clear_session_cookies(response)
    return response
