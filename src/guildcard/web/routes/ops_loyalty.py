"""Operator console: tier design (with the preview of members per tier), stored value
(liability by collecting merchant, top-up packages, unused-principal refund requests, and
top-up code batches 储值卡密: generated and downloaded once as CSV, voided)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.money import parse_yuan
from guildcard.loyalty import tier_codec
from guildcard.loyalty.topup_code_handlers import TopUpCodeBatch
from guildcard.loyalty.wallet_service import codes_csv
from guildcard.web.routes.ops_support import (
    alliance_services,
    container,
    form_day,
    form_number,
    handle_post,
    operator,
    redirect,
    render,
    require_configure,
    text,
)

router = APIRouter(include_in_schema=False)


def _design_text(request: Request, actor: Actor) -> str:
    scheme = container(request).tiers.scheme(alliance_id=actor.alliance_id)
    return json.dumps(tier_codec.scheme_to_dict(scheme), ensure_ascii=False, indent=2)


def _tiers_page(
    request: Request,
    actor: Actor,
    *,
    design: str | None = None,
    preview: dict[str, int] | None = None,
    error: str = "",
) -> HTMLResponse:
    box = container(request)
    scheme = box.tiers.scheme(alliance_id=actor.alliance_id)
    return render(
        request,
        "ops/tiers.html",
        actor=actor,
        active="/ops/tiers",
        scheme=scheme,
        held=box.tiers.members_by_tier(alliance_id=actor.alliance_id),
        design=design if design is not None else _design_text(request, actor),
        preview=preview,
        error=error,
        status_code=422 if error else 200,
    )


def _parsed(form: FormData) -> dict[str, Any]:
    try:
        value = json.loads(text(form, "design"))
    except json.JSONDecodeError as exc:
        raise InvalidInput("The tier design is not valid JSON.", field="design") from exc
    if not isinstance(value, dict):
        raise InvalidInput("The tier design is not valid JSON.", field="design")
    return value


@router.get("/ops/tiers", response_class=HTMLResponse)
def tiers(request: Request) -> Response:
    return _tiers_page(request, operator(request))


@router.post("/ops/tiers", response_class=HTMLResponse)
async def save_tiers(request: Request) -> Response:
    """``action=preview``: members per tier today with this design; ``action=save``: save it."""
    actor = operator(request)
    submitted: dict[str, str] = {}

    def act(form: FormData) -> Response:
        submitted["design"] = text(form, "design")
        design = _parsed(form)
        box = container(request)
        if text(form, "action") == "preview":
            counts = box.tiers.preview(alliance_id=actor.alliance_id, scheme=design)
            return _tiers_page(request, actor, design=submitted["design"], preview=counts)
        require_configure(actor)
        box.tiers.design(
            alliance_id=actor.alliance_id,
            scheme=design,
            actor_id=actor.id,
            idempotency_key=text(form, "idempotency_key"),
        )
        return redirect("/ops/tiers", done="saved")

    return await handle_post(
        request, act, lambda error: _tiers_page(request, actor, design=submitted.get("design"), error=error)
    )


def _wallets_page(request: Request, actor: Actor, *, error: str = "", member: str = "") -> HTMLResponse:
    box = container(request)
    names = {m.id: m.name for m in alliance_services(request).merchants.list(actor)}
    member = member.strip()
    one = {}  # one member's balance and history (the alliance's own members only: reads are scoped)
    if member:
        one = {
            "member_id": member,
            "balance": box.wallets.balance(alliance_id=actor.alliance_id, member_id=member),
            "movements": box.wallets.history(alliance_id=actor.alliance_id, member_id=member),
        }
    return render(
        request,
        "ops/wallets.html",
        actor=actor,
        active="/ops/wallets",
        liability=box.wallets.liability(alliance_id=actor.alliance_id),
        names=names,
        packages=box.wallets.packages(alliance_id=actor.alliance_id),
        refunds=box.wallets.pending_refunds(alliance_id=actor.alliance_id),
        code_batches=box.wallets.code_batches(alliance_id=actor.alliance_id),
        one=one,
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/ops/wallets", response_class=HTMLResponse)
def wallets(request: Request, member: str = "") -> Response:
    return _wallets_page(request, operator(request), member=member)


@router.post("/ops/wallets/packages", response_class=HTMLResponse)
async def add_package(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        container(request).wallets.create_package(
            actor,
            name=text(form, "name"),
            pay_fen=parse_yuan(text(form, "pay_yuan")),
            bonus_fen=parse_yuan(text(form, "bonus_yuan") or "0"),
            idempotency_key=text(form, "idempotency_key"),
        )
        return redirect("/ops/wallets", done="package_added")

    return await handle_post(request, act, lambda error: _wallets_page(request, actor, error=error))


@router.post("/ops/wallets/refunds/{request_id}", response_class=HTMLResponse)
async def decide_refund(request: Request, request_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        container(request).wallets.decide_refund(
            actor,
            request_id=request_id,
            approve=text(form, "decision") == "approve",
            note=text(form, "note"),
            idempotency_key=text(form, "idempotency_key"),
        )
        return redirect("/ops/wallets", done="refund_decided")

    return await handle_post(request, act, lambda error: _wallets_page(request, actor, error=error))


def valid_until(form: FormData) -> datetime:
    """Codes work until the end of the chosen day (Asia/Shanghai); the day is required."""
    day_end = form_day(form, "expires_on", end=True)
    if day_end is None:
        raise InvalidInput("This is not a date (YYYY-MM-DD).", field="expires_on")
    return day_end


def codes_download(batch: TopUpCodeBatch) -> Response:
    """The batch's codes as a CSV attachment, never cached."""
    return Response(
        codes_csv(batch),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="topup-codes-{batch.batch_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/ops/wallets/codes", response_model=None)
async def generate_codes(request: Request) -> Response:
    """A batch of top-up codes, answered as the CSV download: the only time the codes are shown."""
    actor = operator(request)

    def act(form: FormData) -> Response:
        done = container(request).wallets.generate_codes(
            actor,
            merchant_id=text(form, "merchant_id"),
            face_fen=parse_yuan(text(form, "face_yuan"), field="face_yuan"),
            size=form_number(form, "size", default=0) or 0,
            expires_at=valid_until(form),
            note=text(form, "note"),
            idempotency_key=text(form, "idempotency_key"),
        )
        if done.replayed:  # a second submit of the form: the codes were already downloaded
            return redirect("/ops/wallets", done="codes_already_exported")
        return codes_download(done.value)

    return await handle_post(request, act, lambda error: _wallets_page(request, actor, error=error))


@router.post("/ops/wallets/codes/{batch_id}/void", response_class=HTMLResponse)
async def void_codes(request: Request, batch_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        container(request).wallets.void_codes(
            actor, batch_id=batch_id, idempotency_key=text(form, "idempotency_key")
        )
        return redirect("/ops/wallets", done="codes_voided")

    return await handle_post(request, act, lambda error: _wallets_page(request, actor, error=error))
