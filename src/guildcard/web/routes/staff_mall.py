"""Staff pages of the points mall: pickup write-off at ``/counter/pickup``; items, stock, orders
and shipping at ``/merchant/mall``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.kernel.money import parse_yuan
from guildcard.rewards.domain.mall import Delivery, ItemKind
from guildcard.rewards.handlers.mall import (
    ConfirmPickup,
    CreateMallItem,
    ShipMallOrder,
    UpdateMallItem,
    UploadMallPicture,
)
from guildcard.rewards.queries.mall import MallQueries
from guildcard.web.forms import error_field, keep_typed
from guildcard.web.pages import render_page
from guildcard.web.routes.counter import current_store, remember_store
from guildcard.web.routes.staff_auth import message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]


@router.get("/counter/pickup", response_class=HTMLResponse)
def pickup(request: Request, code: str = "", store: str | None = None, done: str = "") -> HTMLResponse:
    """Type or scan the member's pickup code, see the item, confirm."""
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    preview, error = None, None
    if code.strip():
        try:
            with container_of(request).database.read() as conn:
                preview = MallQueries(conn, actor.alliance_id).pickup_preview(code, actor.merchant_id)
        except GuildCardError as failure:
            error = message_of(request, failure)
    response = render_page(
        request,
        "rewards/counter_pickup.html",
        actor=actor,
        store=chosen,
        stores=stores,
        code=code.strip(),
        preview=preview,
        error=error,
        done=done,
    )
    return remember_store(response, chosen)  # type: ignore[return-value]


@router.post("/counter/pickup", response_model=None)
def confirm_pickup(
    request: Request, *, csrf_token: FormStr = "", store_id: FormStr = "", code: FormStr = ""
) -> Response:
    actor = require_staff(request)
    check_csrf(request, csrf_token)
    try:
        order = (
            container_of(request)
            .bus.execute(
                actor,
                ConfirmPickup(pickup_code=code.strip(), store_id=store_id, idempotency_key=f"pickup-{code}"),
            )
            .value
        )
    except GuildCardError as failure:
        chosen, stores = current_store(request, actor, store_id)
        return render_page(
            request,
            "rewards/counter_pickup.html",
            status_code=422,
            actor=actor,
            store=chosen,
            stores=stores,
            code=code,
            preview=None,
            error=message_of(request, failure),
            done="",
        )
    return RedirectResponse(f"/counter/pickup?done={order.id}", status_code=303)


def _merchant_page(request: Request, *, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    actor = require_staff(request, "owner", "manager")
    cipher = container_of(request).cipher
    with container_of(request).database.read() as conn:
        queries = MallQueries(conn, actor.alliance_id)
        items = queries.items(supplier=actor.merchant_id)
        orders = queries.supplier_orders(actor.merchant_id)
        addresses = {
            o.id: queries.shipping_address(o.id, actor.merchant_id, cipher)
            for o in orders
            if o.delivery is Delivery.SHIPPING and o.state.value == "held"
        }
    return render_page(
        request,
        "rewards/merchant_mall.html",
        status_code=status_code,
        actor=actor,
        items=items,
        orders=orders,
        addresses=addresses,
        error=error,
    )


@router.get("/merchant/mall", response_class=HTMLResponse)
def merchant_mall(request: Request) -> HTMLResponse:
    return _merchant_page(request)


@router.post("/merchant/mall/items", response_model=None)
def add_item(  # noqa: PLR0917 (the form's fields, in the form's order)
    request: Request,
    csrf_token: FormStr = "",
    title: FormStr = "",
    points: FormStr = "",
    price: FormStr = "",
    stock: FormStr = "",
    delivery: FormStr = "pickup",
    category: FormStr = "",
    per_day: FormStr = "",
) -> Response:
    actor = require_staff(request, "owner", "manager")
    check_csrf(request, csrf_token)
    try:
        if delivery not in {d.value for d in Delivery}:
            raise InvalidInput("Choose how the item is delivered.", field="delivery")
        command = CreateMallItem(
            supplier_merchant_id=actor.merchant_id,
            kind=ItemKind.GOODS,
            title=title.strip(),
            points=_whole(points, "points"),
            purchase_price_fen=parse_yuan(price or "0", field="price"),
            stock=_whole(stock, "stock") if stock else None,
            delivery=Delivery(delivery),
            category=category.strip(),
            per_day_limit=_whole(per_day, "per_day") if per_day else None,
        )
        container_of(request).bus.execute(actor, command)
    except GuildCardError as failure:
        # What was typed stays in the form and the wrong field is marked (issue 12 item 19).
        message = message_of(request, failure)
        page = _merchant_page(request, error=message, status_code=422)
        typed = {"title": title, "points": points, "price": price, "stock": stock, "delivery": delivery,
                 "category": category, "per_day": per_day}  # fmt: skip
        field = {"per_day_limit": "per_day"}.get(error_field(failure) or "", error_field(failure))
        return keep_typed(page, action=request.url.path, values=typed, field=field, message=message)
    return RedirectResponse("/merchant/mall", status_code=303)


def _whole(text: str, field: str = "points") -> int:
    if not text.strip().isdigit():
        message = "Points are a whole number." if field == "points" else "A whole number is expected."
        raise InvalidInput(message, field=field)
    return int(text)


@router.post("/merchant/mall/items/{item_id}/stock", response_model=None)
def set_stock(request: Request, item_id: str, csrf_token: FormStr = "", stock: FormStr = "") -> Response:
    actor = require_staff(request, "owner", "manager")
    check_csrf(request, csrf_token)
    try:
        container_of(request).bus.execute(
            actor, UpdateMallItem(item_id=item_id, changes={"stock": _whole(stock, "stock")})
        )
    except GuildCardError as failure:
        return _merchant_page(request, error=message_of(request, failure), status_code=422)
    return RedirectResponse("/merchant/mall", status_code=303)


@router.post("/merchant/mall/orders/{order_id}/ship", response_model=None)
def ship(
    request: Request,
    order_id: str,
    csrf_token: FormStr = "",
    carrier: FormStr = "",
    tracking_no: FormStr = "",
) -> Response:
    actor = require_staff(request, "owner", "manager")
    check_csrf(request, csrf_token)
    try:
        container_of(request).bus.execute(
            actor, ShipMallOrder(order_id=order_id, carrier=carrier, tracking_no=tracking_no)
        )
    except GuildCardError as failure:
        return _merchant_page(request, error=message_of(request, failure), status_code=422)
    return RedirectResponse("/merchant/mall", status_code=303)


@router.post("/merchant/mall/items/{item_id}/picture", response_model=None)
async def upload_picture(
    request: Request, item_id: str, picture: UploadFile | None = File(None), csrf_token: FormStr = ""
) -> Response:
    """The item's picture, uploaded and then served by the app (``/m/mall/pictures/{id}``).

    The file is optional in the signature so that a forged post is refused for its missing CSRF
    token (403) before anything looks at the upload."""
    actor = require_staff(request, "owner", "manager")
    check_csrf(request, csrf_token)
    data = await picture.read(2_000_001) if picture is not None else b""
    bus = container_of(request).bus
    try:
        content_type = picture.content_type if picture is not None else ""
        upload = UploadMallPicture(content_type=content_type or "", data=data)
        picture_id = bus.execute(actor, upload).value
        bus.execute(actor, UpdateMallItem(item_id=item_id, changes={"picture_ids": [picture_id]}))
    except GuildCardError as failure:
        return _merchant_page(request, error=message_of(request, failure), status_code=422)
    return RedirectResponse("/merchant/mall", status_code=303)
