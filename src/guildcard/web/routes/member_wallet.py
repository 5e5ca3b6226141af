"""The member's stored value and tier history on the H5 (``/m/wallet``): the balance, every
top-up and payment (and what refunds gave back) with the merchant's name, and each tier change
with its reason and the growth standing now."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from guildcard.alliance import queries as alliance
from guildcard.web.pages import render_page
from guildcard.web.routes.member import NO_STORE, _alliance_name
from guildcard.web.routes.member_common import member
from guildcard.web.session import container_of

router = APIRouter(include_in_schema=False)


@router.get("/m/wallet", response_class=HTMLResponse)
def wallet(request: Request) -> HTMLResponse:
    actor = member(request)
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
    )
    response.headers.update(NO_STORE)
    return response
