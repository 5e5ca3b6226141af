"""The counter console (``/counter``): scan, preview, commit, printable receipt.

Cashiers work at their stores, owners and managers at every open store of their merchant; the
store is picked once and remembered in a cookie. Every step is a plain form post; ``counter.js``
adds keyboard shortcuts and ignores a repeated scan. Refunds and backfills: ``counter_after.py``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.alliance.domain.model import Store
from guildcard.counter.commands import MemberIdentity, PurchaseInput
from guildcard.counter.domain.amounts import CategoryLine
from guildcard.counter.domain.receipts import PurchasePreview
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import BUSINESS_TZ
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.kernel.money import parse_yuan
from guildcard.web.pages import render_page
from guildcard.web.routes.staff_auth import alliance_services, message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)

STORE_COOKIE = "gc_counter_store"
_CODE_INVALID = {"members.code_invalid", "members.code_already_used"}
_PHONE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")


# --- the store the counter works at ---------------------------------------------------------


def stores_of(request: Request, actor: Actor) -> list[Store]:
    """The open stores where ``actor`` may work the counter."""
    assert actor.merchant_id is not None
    stores = alliance_services(request).stores.list(actor, actor.merchant_id)
    return [s for s in stores if s.closed_at is None and s.id in actor.store_ids]


def current_store(
    request: Request, actor: Actor, wanted: str | None = None
) -> tuple[Store | None, list[Store]]:
    """The chosen store (query, then cookie; the only store when there is one), and every choice."""
    stores = stores_of(request, actor)
    by_id = {s.id: s for s in stores}
    for candidate in (wanted, request.cookies.get(STORE_COOKIE)):
        if candidate in by_id:
            return by_id[candidate], stores
    return (stores[0] if len(stores) == 1 else None), stores


def remember_store(response: Response, store: Store | None) -> Response:
    if store is not None:
        response.set_cookie(STORE_COOKIE, store.id, max_age=30 * 24 * 3600, samesite="lax")
    return response


def new_order_no(now: datetime) -> str:
    """A readable, practically unique order number: date, time and a random tail."""
    return now.astimezone(BUSINESS_TZ).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2).upper()


USE_MAX = "max"  # the points field's value for "as many as allowed" (F2 / the button)


def parse_points(text: str) -> int | None:
    """Blank: no points (0); ``max``: as many as allowed (None); otherwise a whole number."""
    text = text.strip().replace(",", "")
    if not text:
        return 0
    if text.lower() == USE_MAX:
        return None
    if not text.isdigit():
        raise InvalidInput("Points are a whole number.", field="points")
    return int(text)


def parse_lines(categories: list[str], amounts: list[str]) -> tuple[CategoryLine, ...]:
    """Optional category lines: rows left blank are skipped."""
    lines = []
    for category, amount in zip(categories, amounts, strict=False):
        if category.strip() or amount.strip():
            lines.append(CategoryLine(category.strip(), parse_yuan(amount) if amount.strip() else 0))
    return tuple(lines)


def looks_like_phone(scan: str) -> bool:
    return bool(_PHONE.match(re.sub(r"[\s-]", "", scan)))


# --- pages ----------------------------------------------------------------------------------


@dataclass
class Entry:
    """What the cashier typed, carried from the form to the preview and back."""

    scan: str = ""
    amount: str = ""
    points: str = ""
    order_no: str = ""
    line_category: tuple[str, ...] = ("", "")
    line_amount: tuple[str, ...] = ("", "")
    kind: str = "code"  # how ``scan`` identified the member: code or phone
    coupon: str = ""  # the coupon picked in the preview (its id), or its own code as scanned
    wallet: str = ""  # stored value to pay with, in yuan ("max": as much as the bill and balance allow)
    items: str = ""  # the item count (optional; insights' items per order), never priced


def make_entry(  # noqa: PLR0917 (the form's fields, in the form's order)
    scan: str, amount: str, points: str, order_no: str, categories: list[str], amounts: list[str], kind: str,
    coupon: str = "", wallet: str = "", items: str = "",
) -> Entry:  # fmt: skip
    return Entry(
        scan.strip(),
        amount,
        points,
        order_no,
        tuple(categories) or ("", ""),
        tuple(amounts) or ("", ""),
        kind if kind in ("code", "phone") else "code",
        coupon.strip(),
        wallet.strip(),
        items.strip(),
    )


_WALLET_MAX_FEN = 10**12  # "as much as allowed": the quote caps it at the balance and the bill


def parse_wallet(text: str) -> int:
    """Blank: no stored value; ``max``: as much as allowed; otherwise yuan (at most two decimals)."""
    text = text.strip()
    if not text:
        return 0
    if text.lower() == USE_MAX:
        return _WALLET_MAX_FEN
    return int(parse_yuan(text, field="wallet"))


def plain_yuan(fen: int) -> str:
    """Fen as the yuan a form field carries back (``12.30``), without the currency sign."""
    return f"{fen // 100}.{fen % 100:02d}"


def parse_items(text: str) -> int | None:
    """The optional item count: blank is none, else a whole number 0-9999."""
    if not text.strip():
        return None
    if not text.strip().isdigit() or int(text) > 9999:
        raise InvalidInput("The item count must be a whole number from 0 to 9999.")
    return int(text)


def _counter_page(
    request: Request, actor: Actor, store: Store | None, stores: list[Store], entry: Entry, **extra: Any
) -> HTMLResponse:
    if not entry.order_no:
        entry.order_no = new_order_no(container_of(request).clock.now())
    response = render_page(
        request, "counter/index.html", actor=actor, store=store, stores=stores, entry=entry, **extra
    )
    remember_store(response, store)
    return response


@router.get("/counter", response_class=HTMLResponse)
def counter_home(request: Request, store: str | None = None) -> HTMLResponse:
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    return _counter_page(request, actor, chosen, stores, Entry())


def _identity(entry: Entry) -> MemberIdentity:
    if entry.kind == "phone":
        return MemberIdentity(phone=re.sub(r"[\s-]", "", entry.scan))
    return MemberIdentity(member_code=entry.scan.strip())


def _coupon_id(request: Request, actor: Actor, entry: Entry) -> str | None:
    """The picked coupon's id; a scanned coupon code becomes the id of the coupon it names."""
    if not entry.coupon:
        return None
    if entry.coupon.startswith("cpn_"):
        return entry.coupon
    found = container_of(request).coupons.by_code(alliance_id=actor.alliance_id, code=entry.coupon)
    entry.coupon = found.coupon_id if found is not None else entry.coupon
    return entry.coupon


def _input(
    store_id: str, entry: Entry, points: int | None, token: str | None = None, coupon_id: str | None = None
) -> PurchaseInput:
    return PurchaseInput(
        store_id=store_id,
        order_no=entry.order_no.strip(),
        amount_fen=parse_yuan(entry.amount),
        member=_identity(entry),
        points_to_use=points,
        lines=parse_lines(list(entry.line_category), list(entry.line_amount)),
        preview_token=token,
        coupon_id=coupon_id,
        wallet_fen=parse_wallet(entry.wallet),
        items=parse_items(entry.items),
    )


def run_preview(request: Request, actor: Actor, store_id: str, entry: Entry) -> PurchasePreview:
    """The counter's preview; a code that is no code but a phone number is looked up by phone."""
    counter = container_of(request).counter
    points = parse_points(entry.points)
    coupon_id = _coupon_id(request, actor, entry)
    try:
        quote = counter.preview(actor, _input(store_id, entry, points, coupon_id=coupon_id))
    except GuildCardError as error:
        if error.code not in _CODE_INVALID or entry.kind != "code" or not looks_like_phone(entry.scan):
            raise
        entry.kind = "phone"
        quote = counter.preview(actor, _input(store_id, entry, points, coupon_id=coupon_id))
    entry.wallet = plain_yuan(quote.wallet_fen) if quote.wallet_fen else ""  # what the quote uses
    return quote


def wallet_offer(quote: PurchasePreview) -> int:
    """The most stored value this bill may take: the balance, at most what points leave to pay."""
    balance = quote.wallet_principal_balance_fen + quote.wallet_bonus_balance_fen
    return max(0, min(balance, quote.payable_fen - quote.points_value_fen))


FormStr = Annotated[str, Form()]
FormList = Annotated[list[str], Form()]


@router.post("/counter/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    *,
    csrf_token: FormStr = "",
    store_id: FormStr = "",
    scan: FormStr = "",
    amount: FormStr = "",
    points: FormStr = "",
    order_no: FormStr = "",
    line_category: FormList = [],  # noqa: B006 (FastAPI copies defaults)
    line_amount: FormList = [],  # noqa: B006
    kind: FormStr = "code",
    coupon: FormStr = "",
    wallet: FormStr = "",
    items: FormStr = "",
) -> HTMLResponse:
    actor = require_staff(request)
    check_csrf(request, csrf_token)
    store, stores = current_store(request, actor, store_id)
    entry = make_entry(
        scan, amount, points, order_no, line_category, line_amount, kind, coupon, wallet, items
    )
    if store is None:
        return _counter_page(request, actor, None, stores, entry, error="Choose a store first.")
    try:
        quote = run_preview(request, actor, store.id, entry)
    except GuildCardError as error:
        return _counter_page(request, actor, store, stores, entry, error=message_of(request, error))
    return render_page(
        request, "counter/preview.html", actor=actor, store=store, entry=entry, quote=quote,
        wallet_max=wallet_offer(quote),
    )  # fmt: skip


@router.post("/counter/purchases", response_model=None)
def commit(
    request: Request,
    *,
    csrf_token: FormStr = "",
    store_id: FormStr = "",
    scan: FormStr = "",
    amount: FormStr = "",
    points: FormStr = "0",
    order_no: FormStr = "",
    line_category: FormList = [],  # noqa: B006
    line_amount: FormList = [],  # noqa: B006
    kind: FormStr = "code",
    preview_token: FormStr = "",
    coupon: FormStr = "",
    wallet: FormStr = "",
    items: FormStr = "",
) -> Response:
    actor = require_staff(request)
    check_csrf(request, csrf_token)
    store, stores = current_store(request, actor, store_id)
    entry = make_entry(
        scan, amount, points, order_no, line_category, line_amount, kind, coupon, wallet, items
    )
    if store is None:
        return _counter_page(request, actor, None, stores, entry, error="Choose a store first.")
    try:
        written = container_of(request).counter.commit(
            actor,
            _input(store.id, entry, parse_points(points) or 0, preview_token or None, entry.coupon or None),
        )
    except GuildCardError as error:
        entry.scan = ""  # the code was probably used or expired: scan again
        return _counter_page(request, actor, store, stores, entry, error=message_of(request, error))
    target = f"/counter/receipt?store={store.id}&order_no={quote(written.receipt.order_no)}"
    return RedirectResponse(target + ("&replayed=1" if written.replayed else ""), status_code=303)


@router.get("/counter/receipt", response_class=HTMLResponse)
def receipt(request: Request, store: str, order_no: str, replayed: int = 0) -> HTMLResponse:
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    try:
        if chosen is None:
            raise InvalidInput("Choose a store first.")
        found = container_of(request).counter.purchase(actor, store_id=chosen.id, order_no=order_no)
    except GuildCardError as error:
        return _counter_page(request, actor, chosen, stores, Entry(), error=message_of(request, error))
    names = {s.id: s.name for s in stores}
    return render_page(
        request,
        "counter/receipt.html",
        actor=actor,
        store_name=names.get(found.store_id, ""),
        r=found,
        at=found.occurred_at,
        pending_until=found.points_pending_until,
        replayed=bool(replayed),
    )


@router.post("/counter/walk-ins", response_class=HTMLResponse)
def walk_in(
    request: Request,
    *,
    csrf_token: FormStr = "",
    store_id: FormStr = "",
    walk_in_amount: FormStr = "",
    walk_in_items: FormStr = "",
    walk_in_order_no: FormStr = "",
) -> HTMLResponse:
    """A non-member sale (no member, no points): counted in insights' member sales share and conversion."""
    actor = require_staff(request)
    check_csrf(request, csrf_token)
    store, stores = current_store(request, actor, store_id)
    if store is None:
        return _counter_page(request, actor, None, stores, Entry(), error="Choose a store first.")
    try:
        sale = container_of(request).insights.record_walk_in(
            actor,
            store_id=store.id,
            order_no=walk_in_order_no.strip() or new_order_no(container_of(request).clock.now()),
            amount_fen=parse_yuan(walk_in_amount),
            items=parse_items(walk_in_items),
        )
    except GuildCardError as error:
        return _counter_page(
            request, actor, store, stores, Entry(), error=message_of(request, error),
            walk_in={"amount": walk_in_amount, "items": walk_in_items, "order_no": walk_in_order_no},
        )  # fmt: skip
    return _counter_page(
        request, actor, store, stores, Entry(), notice="Non-member sale recorded.", walk_in_sale=sale
    )
