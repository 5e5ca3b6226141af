"""Refund approvals (``/merchant/refunds``): a cashier's or POS key's refund of points the member
already spent waits here for the owner or a manager (issue 12 item 6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.counter.domain.refunds import SettleAs
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError
from guildcard.web.pages import render_page
from guildcard.web.routes.merchant import MERCHANT_ROLES, merchant_of
from guildcard.web.routes.staff_auth import alliance_services, message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)

# The buttons: approve as a debt, approve as cash minus the points' value, reject.
_DECISIONS = {
    "approve": (True, SettleAs.BELOW_ZERO),
    "cash": (True, SettleAs.CASH_MINUS_POINTS),
    "reject": (False, SettleAs.BELOW_ZERO),
}
_NOTICES = {
    "approve": "Approved: the refund is recorded.",
    "cash": "Approved: the refund is recorded, the spent points' value kept from the cash.",
    "reject": "Rejected.",
}


def _page(
    request: Request, actor: Actor, *, status_code: int = 200, notice: str = "", error: str = ""
) -> HTMLResponse:
    container = container_of(request)
    pending = container.counter.refund_requests(actor, merchant_id=merchant_of(actor))
    purchases = {}
    for r in pending:  # the member as the counter shows them (masked), per order
        try:
            purchases[r.request_id] = container.counter.purchase(
                actor, store_id=r.store_id, order_no=r.order_no
            )
        except GuildCardError:
            continue
    services = alliance_services(request)
    cashiers = {s.id: s.display_name for s in services.staff.list(actor, merchant_of(actor))}
    stores = {s.id: s.name for s in services.stores.list(actor, merchant_of(actor))}
    return render_page(
        request, "merchant/refunds.html", status_code=status_code, actor=actor, pending=pending,
        purchases=purchases, cashiers=cashiers, store_names=stores, error=error, notice=_NOTICES.get(notice),
    )  # fmt: skip


@router.get("/merchant/refunds", response_class=HTMLResponse)
def refund_requests(request: Request, notice: str = "") -> HTMLResponse:
    return _page(request, require_staff(request, *MERCHANT_ROLES), notice=notice)


@router.post("/merchant/refunds/{request_id}/{decision}", response_model=None)
def decide(
    request: Request,
    request_id: str,
    decision: str,
    csrf_token: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    actor = require_staff(request, *MERCHANT_ROLES)
    check_csrf(request, csrf_token)
    if decision not in _DECISIONS:
        return _page(request, actor, status_code=404, error="No such decision.")
    approve, settle_as = _DECISIONS[decision]
    try:
        container_of(request).counter.decide_refund(
            actor, request_id, approve=approve, settle_as=settle_as, note=note.strip() or None
        )
    except GuildCardError as failure:
        return _page(request, actor, status_code=422, error=message_of(request, failure))
    return RedirectResponse(f"/merchant/refunds?notice={decision}", status_code=303)
