"""The member's in-app inbox (站内信) on the H5 (``/m/inbox``): delivered messages newest first,
the unread ones marked, and "mark all read" (``MarkRead`` on the bus); the member's message
preferences (``/m/inbox/preferences``: each channel and kind on or off, which rules honour)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.automation.domain.rules import Channel, MessageKind
from guildcard.automation.handlers.messages import MarkRead, SetMessagePreferences
from guildcard.automation.queries import console as queries
from guildcard.web.pages import render_page
from guildcard.web.routes.member import NO_STORE, _alliance_name
from guildcard.web.routes.member_common import member
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)


@router.get("/m/inbox", response_class=HTMLResponse)
def inbox(request: Request) -> HTMLResponse:
    actor = member(request)
    container = container_of(request)
    with container.database.read() as conn:
        box = queries.inbox(conn, actor.alliance_id, actor.id)
    response = render_page(
        request,
        "member/inbox.html",
        tab="card",
        alliance_name=_alliance_name(container, actor.alliance_id),
        inbox=box,
    )
    response.headers.update(NO_STORE)
    return response


@router.post("/m/inbox/read")
def mark_all_read(request: Request, csrf_token: str = Form("")) -> Response:
    actor = member(request)
    check_csrf(request, csrf_token)
    container_of(request).bus.execute(actor, MarkRead())
    return RedirectResponse("/m/inbox", status_code=303)


PAIRS = [(c.value, k.value) for c in Channel for k in MessageKind]


@router.get("/m/inbox/preferences", response_class=HTMLResponse)
def preferences(request: Request, saved: str = "") -> HTMLResponse:
    actor = member(request)
    container = container_of(request)
    with container.database.read() as conn:
        off = queries.turned_off(conn, actor.alliance_id, actor.id)
    response = render_page(
        request, "member/message_preferences.html", tab="card",
        alliance_name=_alliance_name(container, actor.alliance_id), pairs=PAIRS, off=off, saved=bool(saved),
    )  # fmt: skip
    response.headers.update(NO_STORE)
    return response


@router.post("/m/inbox/preferences")
async def save_preferences(request: Request) -> Response:
    """Every pair not ticked is turned off (an unticked checkbox sends nothing)."""
    actor = member(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    wanted = {str(v) for v in form.getlist("on")}
    off = tuple(p for p in PAIRS if f"{p[0]}:{p[1]}" not in wanted)
    container_of(request).bus.execute(actor, SetMessagePreferences(opted_out=off))
    return RedirectResponse("/m/inbox/preferences?saved=1", status_code=303)
