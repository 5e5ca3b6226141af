"""The counter's exchange write-off (兑换券核销): scan the coupon's code, see what it is for, confirm."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.ids import new_id
from guildcard.rewards.domain.coupons import REASON_TEXT
from guildcard.web.pages import language_of, render_page
from guildcard.web.routes.counter import current_store
from guildcard.web.routes.staff_auth import message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]


@router.get("/counter/exchange", response_class=HTMLResponse)
def exchange_home(request: Request, store: str | None = None) -> HTMLResponse:
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    return render_page(
        request, "counter/exchange.html", actor=actor, store=chosen, stores=stores, key=new_id("key")
    )


@router.post("/counter/exchange", response_class=HTMLResponse)
def exchange(
    request: Request, *, csrf_token: FormStr = "", store_id: FormStr = "", code: FormStr = "",
    confirm: FormStr = "", key: FormStr = "",
) -> HTMLResponse:  # fmt: skip
    """Without ``confirm``: the preview (what the coupon is for, does it apply here); with it: write off."""
    actor = require_staff(request)
    check_csrf(request, csrf_token)
    store, stores = current_store(request, actor, store_id)
    context: dict[str, Any] = {
        "actor": actor,
        "store": store,
        "stores": stores,
        "code": code.strip().upper(),
        "key": key or new_id("key"),
    }
    if store is None:
        return render_page(
            request, "counter/exchange.html", error=message_of(request, _no_store()), **context
        )
    coupons = container_of(request).coupons
    try:
        if confirm:
            done = coupons.redeem_exchange(actor, store_id=store.id, code=code, idempotency_key=key)
            return render_page(request, "counter/exchange.html", done=done, **context)
        verdict = coupons.exchange_preview(alliance_id=actor.alliance_id, store_id=store.id, code=code)
    except GuildCardError as error:
        return render_page(
            request, "counter/exchange.html", status_code=422, error=message_of(request, error), **context
        )
    if verdict is None:
        return render_page(request, "counter/exchange.html", status_code=404, unknown=True, **context)
    english = language_of(request).startswith("en")
    reason = REASON_TEXT[verdict.reason][1 if english else 0] if verdict.reason is not None else None
    return render_page(request, "counter/exchange.html", verdict=verdict, reason=reason, **context)


def _no_store() -> GuildCardError:
    from guildcard.kernel.errors import InvalidInput  # noqa: PLC0415 - only here

    return InvalidInput("Choose a store first.")
