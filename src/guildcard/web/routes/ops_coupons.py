"""The operator's coupons and rewards: alliance coupons (通用券), reward campaigns with their budget's
live consumption, referral settings and the referrals flagged for review."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.kernel.errors import InvalidInput
from guildcard.rewards.domain.campaigns import CampaignKind
from guildcard.rewards.domain.coupons import headline
from guildcard.rewards.domain.referrals import ReferralSettings
from guildcard.web.pages import language_of
from guildcard.web.routes.coupon_forms import named_for_the_form, template_fields
from guildcard.web.routes.ops_support import (
    alliance_services,
    container,
    handle_post,
    operator,
    redirect,
    render,
    require_configure,
    text,
)

router = APIRouter(include_in_schema=False)
ACTIVE = "/ops/coupons"


def _page(request: Request, error: str = "") -> HTMLResponse:
    actor = operator(request)
    box = container(request)
    english = language_of(request).startswith("en")
    coupons = box.coupons.templates(alliance_id=actor.alliance_id, alliance_only=True)
    costs = box.coupons.costs(alliance_id=actor.alliance_id)
    return render(
        request, "ops/rewards.html", actor=actor, active=ACTIVE, status_code=422 if error else 200,
        error=error,
        coupons=[(t, headline(t.rules)[1 if english else 0], costs.get(t.template_id, 0)) for t in coupons],
        campaigns=box.reward_campaigns.campaigns(alliance_id=actor.alliance_id),
        referral=box.reward_campaigns.referral_settings(alliance_id=actor.alliance_id),
        referral_counts=box.reward_campaigns.referral_counts(alliance_id=actor.alliance_id),
        flagged=box.reward_campaigns.flagged(alliance_id=actor.alliance_id),
        categories={c.code: c.name for c in alliance_services(request).alliances.categories(actor)},
        kinds=[k.value for k in CampaignKind],
    )  # fmt: skip


@router.get("/ops/coupons", response_class=HTMLResponse)
def rewards(request: Request) -> Response:
    return _page(request)


@router.post("/ops/coupons/coupons", response_class=HTMLResponse)
async def create_coupon(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        fields = template_fields(form, issuer_merchant_id=None)
        with named_for_the_form():
            container(request).coupons.create_template(
                actor, idempotency_key=text(form, "idempotency_key"), **fields
            )
        return redirect(ACTIVE)

    return await handle_post(request, act, lambda error: _page(request, error))


def _number(form: FormData, name: str) -> int | None:
    value = text(form, name)
    if not value:
        return None
    if not value.lstrip("-").isdigit():
        raise InvalidInput("A whole number is expected.", field=name)
    return int(value)


@router.post("/ops/coupons/campaigns", response_class=HTMLResponse)
async def create_campaign(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        box = container(request)
        now = box.clock.now()
        days = _number(form, "days") or 30
        box.reward_campaigns.create(
            actor, idempotency_key=text(form, "idempotency_key"), name=text(form, "name"),
            kind=CampaignKind(text(form, "kind") or "stamp_trail"), points=_number(form, "points") or 0,
            budget_points=_number(form, "budget_points"),
            member_cap_points=_number(form, "member_cap_points"),
            threshold_fen=(_number(form, "threshold_yuan") or 0) * 100,
            stamps_needed=_number(form, "stamps_needed") or 0,
            starts_at=now, ends_at=now + timedelta(days=days),
        )  # fmt: skip
        return redirect(ACTIVE)

    return await handle_post(request, act, lambda error: _page(request, error))


@router.post("/ops/coupons/referrals", response_class=HTMLResponse)
async def referral_settings(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        settings = ReferralSettings(
            enabled=bool(text(form, "enabled")), inviter_points=_number(form, "inviter_points") or 0,
            invitee_points=_number(form, "invitee_points") or 0, hold_days=_number(form, "hold_days") or 0,
            monthly_cap=_number(form, "monthly_cap") or 20,
        )  # fmt: skip
        container(request).reward_campaigns.set_referral_settings(
            actor, settings, idempotency_key=text(form, "idempotency_key")
        )
        return redirect(ACTIVE)

    return await handle_post(request, act, lambda error: _page(request, error))


@router.post("/ops/coupons/referrals/{invitee_id}/review", response_class=HTMLResponse)
async def review(request: Request, invitee_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        container(request).reward_campaigns.review(
            actor, invitee_id=invitee_id, approve=text(form, "approve") == "1",
            idempotency_key=text(form, "idempotency_key"),
        )  # fmt: skip
        return redirect(ACTIVE)

    return await handle_post(request, act, lambda error: _page(request, error))
