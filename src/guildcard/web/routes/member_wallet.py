"""The member's stored value and tier history on the H5 (``/m/wallet``): the balance, every
top-up and payment (and what refunds gave back) with the merchant's name, each tier change
with its reason and the growth standing now, the growth list (成长值明细); and a top-up by
code (储值卡密, ``POST /m/wallet/redeem``: a few tries an hour, the form's key replays a double
submit)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.alliance import queries as alliance
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.ids import new_id
from guildcard.web.pages import render_page
from guildcard.web.routes.member import NO_STORE, _alliance_name
from guildcard.web.routes.member_common import member, notice_for, status_for
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)


def _wallet_page(request: Request, actor: Actor, *, error: str = "", status_code: int = 200) -> HTMLResponse:
    container = container_of(request)
    a, m = actor.alliance_id, actor.id
    standing = container.tiers.standing(alliance_id=a, member_id=m)
    with container.database.read() as conn:
        names = {x.id: x.name for x in alliance.list_merchants(conn, a)}
    response = render_page(
        request,
        "member/wallet.html",
        tab="card",
        alliance_name=_alliance_name(container, a),
        balance=container.wallets.balance(alliance_id=a, member_id=m),
        movements=container.wallets.history(alliance_id=a, member_id=m),
        merchant_names=names,
        standing=standing,
        tier_history=container.tiers.history(alliance_id=a, member_id=m),
        tier_names={t.code: t.name for t in standing.scheme.tiers},
        growth_entries=container.tiers.growth_entries(alliance_id=a, member_id=m),
        form_key=new_id("idem"),
        error=error,
        status_code=status_code,
    )
    response.headers.update(NO_STORE)
    return response


@router.get("/m/wallet", response_class=HTMLResponse)
def wallet(request: Request) -> HTMLResponse:
    return _wallet_page(request, member(request))


@router.post("/m/wallet/redeem", response_class=HTMLResponse)
def redeem(
    request: Request, code: str = Form(""), form_key: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """A top-up code typed by the member: the wallet credited, or the page again with why not."""
    actor = member(request)
    check_csrf(request, csrf_token)
    try:
        container_of(request).wallets.redeem_code(
            actor, member_id=actor.id, code=code, idempotency_key=form_key[:64] or new_id("idem")
        )
    except GuildCardError as exc:
        return _wallet_page(request, actor, error=notice_for(request, exc), status_code=status_for(exc))
    return RedirectResponse("/m/wallet?done=redeemed", status_code=303)
