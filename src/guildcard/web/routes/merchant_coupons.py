"""The merchant owner's coupons: create within the alliance's rules, see claims, uses and cost."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.ids import new_id
from guildcard.rewards.domain.coupons import headline
from guildcard.web.forms import error_field, is_validation, keep_typed
from guildcard.web.pages import language_of, render_page
from guildcard.web.routes.coupon_forms import named_for_the_form, template_fields
from guildcard.web.routes.ops_support import form_values
from guildcard.web.routes.staff_auth import message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
MERCHANT_ROLES = ("owner", "manager")


def _page(request: Request, actor: Actor, *, status_code: int = 200, **extra: object) -> HTMLResponse:
    container = container_of(request)
    assert actor.merchant_id is not None
    templates = container.coupons.templates(alliance_id=actor.alliance_id, merchant_id=actor.merchant_id)
    costs = container.coupons.costs(alliance_id=actor.alliance_id)
    english = language_of(request).startswith("en")
    rows = [(t, headline(t.rules)[1 if english else 0], costs.get(t.template_id, 0)) for t in templates]
    return render_page(
        request, "merchant/coupons.html", status_code=status_code, actor=actor, rows=rows, key=new_id("key"),
        **extra,
    )  # fmt: skip


@router.get("/merchant/coupons", response_class=HTMLResponse)
def coupons(request: Request) -> HTMLResponse:
    return _page(request, require_staff(request, *MERCHANT_ROLES))


@router.post("/merchant/coupons", response_model=None)
async def create(request: Request) -> Response:
    actor = require_staff(request, *MERCHANT_ROLES)
    form = await request.form()
    csrf = form.get("csrf_token")
    check_csrf(request, csrf if isinstance(csrf, str) else "")
    key = form.get("key")
    try:
        fields = template_fields(form, issuer_merchant_id=actor.merchant_id)
        fields.pop("trades")  # a merchant's coupon is valid at its own stores
        with named_for_the_form():
            container_of(request).coupons.create_template(
                actor, idempotency_key=key if isinstance(key, str) and key else new_id("key"), **fields
            )
    except GuildCardError as error:
        message = message_of(request, error)
        page = _page(request, actor, status_code=422, error=message)
        if not is_validation(error):
            return page
        return keep_typed(
            page, action=request.url.path, values=form_values(form), field=error_field(error), message=message
        )
    return RedirectResponse("/merchant/coupons", status_code=303)
