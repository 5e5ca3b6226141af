"""The merchant owner's settings: stores and staff, POS keys, earn rules within the alliance limits."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.alliance.domain.model import StaffRole
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.kernel.money import parse_yuan
from guildcard.web.forms import error_field, keep_typed
from guildcard.web.pages import render_page
from guildcard.web.routes.merchant import MERCHANT_ROLES, merchant_of
from guildcard.web.routes.staff_auth import alliance_services, message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]


# --- stores and staff -------------------------------------------------------------------------


def _stores_page(request: Request, actor: Actor, *, status_code: int = 200, **extra: object) -> HTMLResponse:
    services, merchant_id = alliance_services(request), merchant_of(actor)
    stores = services.stores.list(actor, merchant_id)
    staff = services.staff.list(actor, merchant_id)
    return render_page(
        request, "merchant/stores.html", status_code=status_code, actor=actor, stores=stores, staff=staff,
        store_names={s.id: s.name for s in stores}, **extra,
    )  # fmt: skip


@router.get("/merchant/stores", response_class=HTMLResponse)
def stores(request: Request) -> HTMLResponse:
    return _stores_page(request, require_staff(request, *MERCHANT_ROLES))


@router.post("/merchant/staff", response_class=HTMLResponse)
def add_cashier(
    request: Request,
    *,
    csrf_token: FormStr = "",
    login: FormStr = "",
    display_name: FormStr = "",
    store_ids: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    idempotency_key: FormStr = "",
) -> HTMLResponse:
    actor = require_staff(request, *MERCHANT_ROLES)
    check_csrf(request, csrf_token)
    try:
        created = alliance_services(request).staff.create(
            actor, merchant_of(actor), login=login, display_name=display_name, role=StaffRole.CASHIER,
            store_ids=store_ids, idempotency_key=idempotency_key or None,
        )  # fmt: skip
    except GuildCardError as failure:
        message = message_of(request, failure)
        page = _stores_page(request, actor, status_code=422, error=message)
        typed = {"login": login, "display_name": display_name, "store_ids": store_ids}
        return keep_typed(
            page, action=request.url.path, values=typed, field=error_field(failure), message=message
        )
    token = created.value.activation_token
    link = f"{request.base_url}staff/activate?token={token}" if token else None
    return _stores_page(request, actor, activation_link=link, notice="Cashier added.")


@router.post("/merchant/staff/{staff_id}/disable", response_model=None)
def disable(request: Request, staff_id: str, csrf_token: FormStr = "") -> Response:
    actor = require_staff(request, *MERCHANT_ROLES)
    check_csrf(request, csrf_token)
    try:
        alliance_services(request).staff.update(actor, staff_id, disabled=True)
    except GuildCardError as failure:
        return _stores_page(request, actor, status_code=422, error=message_of(request, failure))
    return RedirectResponse("/merchant/stores", status_code=303)


# --- POS keys ---------------------------------------------------------------------------------


def _keys_page(request: Request, actor: Actor, *, status_code: int = 200, **extra: object) -> HTMLResponse:
    services = alliance_services(request)
    open_stores = [s for s in services.stores.list(actor, merchant_of(actor)) if s.closed_at is None]
    keys = {s.id: services.pos_keys.list(actor, s.id) for s in open_stores}
    return render_page(
        request, "merchant/pos_keys.html", status_code=status_code, actor=actor, stores=open_stores,
        keys=keys,
        **extra,
    )  # fmt: skip


@router.get("/merchant/pos-keys", response_class=HTMLResponse)
def pos_keys(request: Request) -> HTMLResponse:
    return _keys_page(request, require_staff(request, *MERCHANT_ROLES))


@router.post("/merchant/pos-keys", response_class=HTMLResponse)
def create_key(
    request: Request, csrf_token: FormStr = "", store_id: FormStr = "", name: FormStr = ""
) -> HTMLResponse:
    actor = require_staff(request, *MERCHANT_ROLES)
    check_csrf(request, csrf_token)
    try:
        created = alliance_services(request).pos_keys.create(
            actor, store_id, name=name or "POS", scopes=["counter:read", "counter:write"]
        )
    except GuildCardError as failure:
        message = message_of(request, failure)
        page = _keys_page(request, actor, status_code=422, error=message)
        typed = {"store_id": store_id, "name": name}
        return keep_typed(
            page, action=request.url.path, values=typed, field=error_field(failure), message=message
        )
    return _keys_page(request, actor, secret=created.value[1], notice="Key created.")


@router.post("/merchant/pos-keys/{key_id}/revoke", response_model=None)
def revoke_key(request: Request, key_id: str, csrf_token: FormStr = "") -> Response:
    actor = require_staff(request, *MERCHANT_ROLES)
    check_csrf(request, csrf_token)
    try:
        alliance_services(request).pos_keys.revoke(actor, key_id)
    except GuildCardError as failure:
        return _keys_page(request, actor, status_code=422, error=message_of(request, failure))
    return RedirectResponse("/merchant/pos-keys", status_code=303)


# --- earn rules -------------------------------------------------------------------------------


BLANK_ROWS = 2


def _rules_page(
    request: Request, actor: Actor, *, status_code: int = 200, rows: list[tuple[str, str]] | None = None,
    **extra: object,
) -> HTMLResponse:  # fmt: skip
    container = container_of(request)
    rules = container.loyalty.rules_in_force(
        alliance_id=actor.alliance_id, merchant_id=merchant_of(actor), at=container.clock.now()
    )
    limits = container.loyalty.get_settings(alliance_id=actor.alliance_id)
    current = [(k, str(v)) for k, v in rules.category_multipliers.items()]
    shown = (rows if rows is not None else current) + [("", "")] * BLANK_ROWS
    return render_page(
        request, "merchant/rules.html", status_code=status_code, actor=actor, rules=rules, limits=limits,
        multipliers="，".join(f"{k} ×{v}" for k, v in current), rows=shown,
        known_categories=sorted({k for k, _ in current}), **extra,
    )  # fmt: skip


@router.get("/merchant/rules", response_class=HTMLResponse)
def rules(request: Request) -> HTMLResponse:
    return _rules_page(request, require_staff(request, *MERCHANT_ROLES))


def _optional_int(text: str, field: str) -> int | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput("Caps are whole numbers of points.", field=field)
    return int(text)


def multiplier_rows(
    categories: list[str], multipliers: list[str], removed: list[str]
) -> list[tuple[str, str]]:
    """The table editor's rows as typed, without the ones ticked for removal and the empty ones."""
    rows = []
    for index, (category, value) in enumerate(zip(categories, multipliers, strict=False)):
        if str(index) in removed or not (category.strip() or value.strip()):
            continue
        rows.append((category.strip(), value.strip()))
    return rows


def rows_to_multipliers(rows: list[tuple[str, str]]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for category, value in rows:
        if not category:
            raise InvalidInput("Choose a category for each multiplier.", field="category")
        try:
            number = Decimal(value.replace("，", "."))
        except InvalidOperation as exc:
            raise InvalidInput("A multiplier is a number, such as 1.5.", field="multiplier") from exc
        if not number.is_finite() or number < 0:
            raise InvalidInput("A multiplier is a number, such as 1.5.", field="multiplier")
        found[category] = number
    return found


@router.post("/merchant/rules", response_class=HTMLResponse)
def set_rules(
    request: Request,
    *,
    csrf_token: FormStr = "",
    transaction_cap: FormStr = "",
    daily_cap: FormStr = "",
    min_amount: FormStr = "",
    category: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    multiplier: Annotated[list[str], Form()] = [],  # noqa: B006
    remove: Annotated[list[str], Form()] = [],  # noqa: B006
    add_row: FormStr = "",
) -> HTMLResponse:
    actor = require_staff(request, *MERCHANT_ROLES)
    check_csrf(request, csrf_token)
    rows = multiplier_rows(category, multiplier, remove)
    typed = {"transaction_cap": transaction_cap, "daily_cap": daily_cap, "min_amount": min_amount}
    if add_row:  # one more empty row, nothing saved yet
        page = _rules_page(request, actor, rows=[*rows, ("", "")])
        return keep_typed(page, action=request.url.path, values=typed, field=None, message="")
    try:
        if actor.role != "owner":
            raise InvalidInput("Only the owner sets the earn rules.")
        container_of(request).loyalty.set_merchant_rules(
            alliance_id=actor.alliance_id, merchant_id=merchant_of(actor),
            category_multipliers=rows_to_multipliers(rows),
            transaction_cap=_optional_int(transaction_cap, "transaction_cap"),
            daily_cap=_optional_int(daily_cap, "daily_cap"),
            min_amount_fen=parse_yuan(min_amount) if min_amount.strip() else 0,
            actor_id=actor.id, idempotency_key=f"web-rules-{secrets.token_hex(8)}",
        )  # fmt: skip
    except GuildCardError as failure:
        message = message_of(request, failure)
        page = _rules_page(request, actor, status_code=422, rows=rows, error=message)
        return keep_typed(
            page, action=request.url.path, values=typed, field=error_field(failure), message=message
        )
    return _rules_page(request, actor, notice="The new rules apply from now on.")
