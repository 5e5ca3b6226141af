"""The merchant owner's top-up code batches (储值卡密): the owner prints gift cards its own stores
sell (it collects their price and owes the face value to the alliance), downloads each batch once
as CSV, and voids a batch's unused codes. Operators have the same on ``/ops/wallets``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.alliance import queries as alliance
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.ids import new_id
from guildcard.kernel.money import parse_yuan
from guildcard.web.pages import render_page
from guildcard.web.routes.ops_loyalty import codes_download, valid_until
from guildcard.web.routes.ops_support import form_number, text
from guildcard.web.routes.staff_auth import message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
BASE = "/merchant/wallet-codes"


def _page(request: Request, actor: Actor, *, status_code: int = 200, **extra: object) -> HTMLResponse:
    container = container_of(request)
    assert actor.merchant_id is not None
    with container.database.read() as conn:
        names = {
            m.id: m.name
            for m in alliance.list_merchants(conn, actor.alliance_id)
            if m.id == actor.merchant_id
        }
    batches = container.wallets.code_batches(alliance_id=actor.alliance_id, merchant_id=actor.merchant_id)
    return render_page(
        request, "merchant/wallet_codes.html", status_code=status_code, actor=actor, names=names,
        code_batches=batches, codes_base=BASE, new_key=lambda: new_id("idem"), **extra,
    )  # fmt: skip


@router.get(BASE, response_class=HTMLResponse)
def codes(request: Request) -> HTMLResponse:
    return _page(request, require_staff(request, "owner"))


async def _form(request: Request) -> FormData:
    form = await request.form()
    check_csrf(request, text(form, "csrf_token"))
    return form


@router.post(BASE, response_model=None)
async def generate(request: Request) -> Response:
    """A batch paid for by this merchant, answered as the CSV download (the only time it is shown)."""
    actor = require_staff(request, "owner")
    form = await _form(request)
    try:
        done = container_of(request).wallets.generate_codes(
            actor,
            merchant_id=actor.merchant_id or "",
            face_fen=parse_yuan(text(form, "face_yuan"), field="face_yuan"),
            size=form_number(form, "size", default=0) or 0,
            expires_at=valid_until(form),
            note=text(form, "note"),
            idempotency_key=text(form, "idempotency_key") or new_id("idem"),
        )
    except GuildCardError as error:
        return _page(request, actor, status_code=422, error=message_of(request, error))
    if done.replayed:
        return _page(request, actor, notice="These codes were already downloaded; they are shown only once.")
    return codes_download(done.value)


@router.post(BASE + "/{batch_id}/void", response_model=None)
async def void(request: Request, batch_id: str) -> Response:
    actor = require_staff(request, "owner")
    form = await _form(request)
    try:
        container_of(request).wallets.void_codes(
            actor, batch_id=batch_id, idempotency_key=text(form, "idempotency_key") or new_id("idem")
        )
    except GuildCardError as error:
        return _page(request, actor, status_code=422, error=message_of(request, error))
    return _page(request, actor, notice="The unused codes of the batch were voided.")
