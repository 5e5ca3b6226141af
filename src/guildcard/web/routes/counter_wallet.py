"""Stored value and paid cards at the counter: top up a member's wallet (a package with its bonus,
or a plain amount), and sell a paid member card (付费会员卡).

Two steps each: the cashier scans the member's code (or a consented phone number), which uses
the code up, and sees the member as this merchant may see them with the wallet balance; then
picks a package or a plan and confirms. The member found in the first step travels to the second
in a hidden field signed for this session and store, so a page cannot be edited to top up someone
else. The idempotency key is made with the first step: a double submit replays the first result.
Both writes go through the loyalty context's commands (``TopUpWallet``, ``SellPaidCard``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from guildcard.alliance.domain.model import Store
from guildcard.api.auth import SESSION_COOKIE
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.kernel.ids import new_id
from guildcard.kernel.money import parse_yuan
from guildcard.members.domain.model import MemberRef
from guildcard.web.pages import render_page
from guildcard.web.routes.counter import _CODE_INVALID, current_store, looks_like_phone, remember_store
from guildcard.web.routes.staff_auth import message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]

_FLOWS = {"topup": "counter/topup.html", "cards": "counter/card_sale.html"}


@dataclass(frozen=True)
class Found:
    """The member the cashier scanned, as this merchant sees them."""

    member_id: str
    label: str
    seal: str  # signs member_id for this session and store
    principal_fen: int
    bonus_fen: int

    @property
    def balance_fen(self) -> int:
        return self.principal_fen + self.bonus_fen


def seal_of(request: Request, store_id: str, member_id: str) -> str:
    secret = container_of(request).settings.secret("secret_key")
    session = request.cookies.get(SESSION_COOKIE, "")
    message = "\x1f".join(("counter-member", session, store_id, member_id)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _scanned(request: Request, actor: Actor, scan: str) -> MemberRef:
    """The member behind a code (used up now) or, failing that, a consented phone number."""
    codes = container_of(request).members.member_codes
    scan = scan.strip().replace(" ", "").replace("-", "")
    if not scan:
        raise InvalidInput("Scan the member code, or type it.", field="scan")
    try:
        return codes.redeem_member_code(actor.alliance_id, scan)
    except GuildCardError as error:
        if error.code not in _CODE_INVALID or not looks_like_phone(scan):
            raise
    return codes.lookup_by_phone_for_counter(actor.alliance_id, scan)


def _found(request: Request, actor: Actor, store: Store, member_id: str) -> Found:
    container = container_of(request)
    ref = MemberRef(actor.alliance_id, member_id, 0)
    view = container.members.member_codes.customer_view_for_merchant(ref, store.merchant_id)
    held = container.wallets.balance(alliance_id=actor.alliance_id, member_id=member_id)
    return Found(member_id, view.label, seal_of(request, store.id, member_id), held.principal, held.bonus)


def _page(request: Request, flow: str, actor: Actor, store: Store | None, stores: list[Store], **extra: Any
) -> HTMLResponse:  # fmt: skip
    container = container_of(request)
    if flow == "topup":
        extra["packages"] = container.wallets.packages(alliance_id=actor.alliance_id, active_only=True)
    else:
        extra["plans"] = [p for p in container.cards.plans(alliance_id=actor.alliance_id) if p.active]
    extra.setdefault("key", new_id("key"))
    response = render_page(request, _FLOWS[flow], actor=actor, store=store, stores=stores, **extra)
    remember_store(response, store)
    return response


@router.get("/counter/topup", response_class=HTMLResponse)
def topup_home(request: Request, store: str | None = None) -> HTMLResponse:
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    return _page(request, "topup", actor, chosen, stores)


@router.get("/counter/cards", response_class=HTMLResponse)
def cards_home(request: Request, store: str | None = None) -> HTMLResponse:
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    return _page(request, "cards", actor, chosen, stores)


@router.post("/counter/topup", response_class=HTMLResponse)
def topup(
    request: Request, *, csrf_token: FormStr = "", store_id: FormStr = "", scan: FormStr = "",
    member_id: FormStr = "", seal: FormStr = "", package_id: FormStr = "", amount: FormStr = "",
    key: FormStr = "",
) -> HTMLResponse:  # fmt: skip
    """Without a sealed member: find the member; with one: top up by a package or an amount."""
    return _step(request, "topup", csrf_token, store_id, scan, member_id, seal, key, package_id, amount)


@router.post("/counter/cards", response_class=HTMLResponse)
def sell_card(
    request: Request, *, csrf_token: FormStr = "", store_id: FormStr = "", scan: FormStr = "",
    member_id: FormStr = "", seal: FormStr = "", plan_id: FormStr = "", key: FormStr = "",
) -> HTMLResponse:  # fmt: skip
    """Without a sealed member: find the member; with one: sell the chosen card plan."""
    return _step(request, "cards", csrf_token, store_id, scan, member_id, seal, key, plan_id, "")


def _step(  # noqa: PLR0917 (the two forms' fields)
    request: Request, flow: str, csrf_token: str, store_id: str, scan: str, member_id: str, seal: str,
    key: str, choice: str, amount: str,
) -> HTMLResponse:  # fmt: skip
    actor = require_staff(request)
    check_csrf(request, csrf_token)
    store, stores = current_store(request, actor, store_id)
    if store is None:
        return _page(request, flow, actor, None, stores, error="Choose a store first.")
    key = key or new_id("key")
    sealed = bool(member_id) and hmac.compare_digest(seal, seal_of(request, store.id, member_id))
    try:
        if not sealed:
            ref = _scanned(request, actor, scan)
            found = _found(request, actor, store, ref.member_id)
            return _page(request, flow, actor, store, stores, found=found, key=key)
        found = _found(request, actor, store, member_id)
    except GuildCardError as error:
        return _page(request, flow, actor, store, stores, error=message_of(request, error), status_code=422)
    try:
        done = _write(request, flow, actor, store, found, key, choice, amount)
    except GuildCardError as error:
        return _page(
            request, flow, actor, store, stores, found=found, key=key, error=message_of(request, error),
            status_code=422,
        )  # fmt: skip
    after = _found(request, actor, store, member_id)
    return _page(request, flow, actor, store, stores, done=done.value, replayed=done.replayed, found=after)


def _write(  # noqa: PLR0917
    request: Request, flow: str, actor: Actor, store: Store, found: Found, key: str, choice: str, amount: str
) -> Any:  # fmt: skip
    container = container_of(request)
    who = found.member_id
    if flow == "cards":
        if not choice:
            raise InvalidInput("Choose a card plan.", field="plan_id")
        return container.cards.sell(
            actor, member_id=who, merchant_id=store.merchant_id, store_id=store.id, plan_id=choice,
            idempotency_key=key,
        )  # fmt: skip
    pay_fen = 0
    if not choice:
        pay_fen = int(parse_yuan(amount, field="amount")) if amount.strip() else 0
        if pay_fen <= 0:
            raise InvalidInput("Choose a package or enter an amount.", field="amount")
    return container.wallets.top_up(
        actor, member_id=who, merchant_id=store.merchant_id, store_id=store.id, package_id=choice or None,
        pay_fen=pay_fen, idempotency_key=key,
    )  # fmt: skip
