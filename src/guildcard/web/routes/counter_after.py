"""After the purchase: refunds by order number and backfills (消费补录) at ``/counter``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from guildcard.counter.commands import BackfillInput, MemberIdentity, RefundInput
from guildcard.counter.domain.receipts import PurchaseReceipt, RefundRequestReceipt
from guildcard.counter.domain.refunds import RefundShare, Settled, refund_share
from guildcard.kernel.clock import BUSINESS_TZ
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.kernel.money import format_fen, parse_yuan
from guildcard.web.pages import render_page
from guildcard.web.routes.counter import current_store, looks_like_phone, remember_store
from guildcard.web.routes.staff_auth import message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]


def _plain_yuan(fen: int) -> str:
    return format_fen(fen).removeprefix("¥").replace(",", "")


def _refund_no(request: Request, order_no: str) -> str:
    """A refund number to start from: the order's, with the time (each refund needs its own)."""
    now = container_of(request).clock.now().astimezone(BUSINESS_TZ)
    return f"{order_no.strip()}-R{now:%H%M%S}"


@router.get("/counter/refunds", response_class=HTMLResponse)
def refunds(request: Request, order_no: str = "", store: str | None = None) -> HTMLResponse:
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    purchase, error = None, None
    if order_no.strip() and chosen is not None:
        try:
            purchase = container_of(request).counter.purchase(
                actor, store_id=chosen.id, order_no=order_no.strip()
            )
        except GuildCardError as failure:
            error = message_of(request, failure)
    refundable = purchase.payable_fen - purchase.refunded_fen if purchase else 0
    response = render_page(
        request, "counter/refunds.html", actor=actor, store=chosen, stores=stores, order_no=order_no.strip(),
        purchase=purchase, at=purchase.occurred_at if purchase else None,
        refundable=refundable, refund_amount=_plain_yuan(refundable),
        refund_no=_refund_no(request, order_no), error=error,
    )  # fmt: skip
    return remember_store(response, chosen)  # type: ignore[return-value]


@router.post("/counter/refunds", response_class=HTMLResponse)
def refund(
    request: Request,
    *,
    csrf_token: FormStr = "",
    store_id: FormStr = "",
    order_no: FormStr = "",
    refund_no: FormStr = "",
    amount: FormStr = "",
    confirmed: FormStr = "",
) -> HTMLResponse:
    actor = require_staff(request)
    check_csrf(request, csrf_token)
    chosen, stores = current_store(request, actor, store_id)
    try:
        if chosen is None:
            raise InvalidInput("Choose a store first.")
        if confirmed != "1":  # the first Enter shows what will happen; the second refunds
            purchase = container_of(request).counter.purchase(
                actor, store_id=chosen.id, order_no=order_no.strip()
            )
            share = _share(purchase, parse_yuan(amount))
            return render_page(
                request, "counter/refund_confirm.html", actor=actor, store=chosen, stores=stores,
                purchase=purchase, share=share, amount=amount.strip(), refund_no=refund_no.strip(),
            )  # fmt: skip
        written = container_of(request).counter.refund_or_ask(
            actor, RefundInput(chosen.id, order_no.strip(), refund_no.strip(), parse_yuan(amount))
        )
    except GuildCardError as failure:
        purchase = None
        if chosen is not None:
            try:
                purchase = container_of(request).counter.purchase(
                    actor, store_id=chosen.id, order_no=order_no.strip()
                )
            except GuildCardError:
                purchase = None
        refundable = purchase.payable_fen - purchase.refunded_fen if purchase else 0
        return render_page(
            request, "counter/refunds.html", status_code=422, actor=actor, store=chosen, stores=stores,
            order_no=order_no.strip(), purchase=purchase, at=purchase.occurred_at if purchase else None,
            refundable=refundable,
            refund_amount=amount, refund_no=refund_no, error=message_of(request, failure),
        )  # fmt: skip
    if isinstance(written.receipt, RefundRequestReceipt):  # spent points: the owner or a manager decides
        return render_page(
            request, "counter/refund_requested.html", status_code=202, actor=actor, store=chosen,
            r=written.receipt, replayed=written.replayed,
        )  # fmt: skip
    return render_page(
        request, "counter/refund_receipt.html", actor=actor, store=chosen, r=written.receipt,
        at=written.receipt.recorded_at, replayed=written.replayed,
    )  # fmt: skip


def _share(purchase: PurchaseReceipt, refund_fen: int) -> RefundShare:
    """What a refund of ``refund_fen`` would give back and take back (the counter's own rule)."""
    settled = Settled(
        purchase.payable_fen, purchase.cash_fen, purchase.points_used, purchase.points_value_fen,
        purchase.points_earned, purchase.growth, purchase.wallet_principal_fen, purchase.wallet_bonus_fen,
    )  # fmt: skip
    return refund_share(settled, already_refunded_fen=purchase.refunded_fen, refund_fen=refund_fen)


@router.get("/counter/backfills", response_class=HTMLResponse)
def backfills(request: Request, store: str | None = None) -> HTMLResponse:
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    response = render_page(
        request, "counter/backfills.html", actor=actor, store=chosen, stores=stores, form={}, result=None
    )
    return remember_store(response, chosen)  # type: ignore[return-value]


def parse_local(text: str) -> datetime:
    """A ``datetime-local`` value, read as Asia/Shanghai time."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=BUSINESS_TZ)
    except ValueError as exc:
        raise InvalidInput("Give the purchase date and time.", field="purchased_at") from exc


@router.post("/counter/backfills", response_class=HTMLResponse)
def backfill(
    request: Request,
    *,
    csrf_token: FormStr = "",
    store_id: FormStr = "",
    receipt_no: FormStr = "",
    purchased_at: FormStr = "",
    amount: FormStr = "",
    member: FormStr = "",
) -> HTMLResponse:
    actor = require_staff(request)
    check_csrf(request, csrf_token)
    chosen, stores = current_store(request, actor, store_id)
    form = {"receipt_no": receipt_no, "purchased_at": purchased_at, "amount": amount, "member": member}
    who = member.strip().replace(" ", "").replace("-", "")
    identity = MemberIdentity(phone=who) if looks_like_phone(who) else MemberIdentity(member_code=who)
    try:
        if chosen is None:
            raise InvalidInput("Choose a store first.")
        written = container_of(request).counter.backfill(
            actor,
            BackfillInput(
                chosen.id, receipt_no.strip(), parse_local(purchased_at), parse_yuan(amount), identity
            ),
        )
    except GuildCardError as failure:
        return render_page(
            request, "counter/backfills.html", status_code=422, actor=actor, store=chosen, stores=stores,
            form=form, result=None, error=message_of(request, failure),
        )  # fmt: skip
    return render_page(
        request, "counter/backfills.html", actor=actor, store=chosen, stores=stores, form={},
        result=written.receipt,
    )  # fmt: skip
