"""Operator console: points economics, ledger policies, breakage, campaigns, issuance limits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.money import parse_yuan
from guildcard.ledger.domain.policy import ExpiryKind, ExpiryPolicy, NegativeMode, NegativePolicy
from guildcard.ledger.settings_store import load_settings
from guildcard.settlement.domain.periods import PeriodKind, period_containing
from guildcard.settlement.domain.terms import BreakageMode, LimitMode
from guildcard.settlement.wiring import settlement_admin
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


def _int(form: FormData, name: str) -> int:
    value = text(form, name)
    if not value.lstrip("-").isdigit():
        raise InvalidInput(f"{name}: a whole number", field=name)
    return int(value)


def _decimal(form: FormData, name: str) -> Decimal:
    try:
        value = Decimal(text(form, name))
    except InvalidOperation as exc:
        raise InvalidInput(f"{name}: a number", field=name) from exc
    if not value.is_finite():
        raise InvalidInput(f"{name}: a number", field=name)
    return value


# --- settings ----------------------------------------------------------------------------------


def _settings_page(
    request: Request, actor: Actor, *, error: str = "", terms_form: dict[str, str] | None = None
) -> HTMLResponse:
    box = container(request)
    member_terms = box.members.profiles.current_terms(alliance_id=actor.alliance_id)
    assert box.alliance is not None
    now = box.clock.now()
    with box.database.read() as conn:
        ledger = load_settings(conn, actor.alliance_id)
    breakage = (
        settlement_admin(box).liability(actor, period_containing(PeriodKind.MONTH, now).key).breakage_mode
    )
    return render(
        request,
        "ops/settings.html",
        actor=actor,
        active="/ops/settings",
        loyalty=(loyalty := box.loyalty.get_settings(alliance_id=actor.alliance_id)),
        max_share_percent=format((loyalty.max_redeem_share * 100).normalize(), "f"),
        ledger=ledger,
        breakage=breakage.value,
        expiry_kinds=[k.value for k in ExpiryKind],
        member_terms=member_terms,
        alliance_code=box.alliance.alliances.find(actor.alliance_id).code,
        terms_form=terms_form or {"version": "", "body": member_terms.body},
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/ops/settings", response_class=HTMLResponse)
def settings(request: Request) -> Response:
    return _settings_page(request, operator(request))


@router.post("/ops/settings/loyalty", response_class=HTMLResponse)
async def save_loyalty(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        changes: dict[str, Any] = {
            "redeem_points_per_yuan": _int(form, "redeem_points_per_yuan"),
            "max_redeem_share": str(_decimal(form, "max_redeem_share_percent") / 100),
            "min_order_for_redeem_fen": int(parse_yuan(text(form, "min_order_yuan") or "0")),
            "pending_days": _int(form, "pending_days"),
            "only_members_earn": form.get("only_members_earn") == "on",
            "growth_per_yuan": str(_decimal(form, "growth_per_yuan")),
            "backfill_window_days": _int(form, "backfill_window_days"),
            "refund_cash_for_spent_points": form.get("refund_cash_for_spent_points") == "on",
        }
        container(request).loyalty.update_settings(
            alliance_id=actor.alliance_id,
            changes=changes,
            actor_id=actor.id,
            idempotency_key=text(form, "idempotency_key"),
        )
        return redirect("/ops/settings", done="settings_saved")

    return await handle_post(request, act, lambda error: _settings_page(request, actor, error=error))


@router.post("/ops/settings/ledger", response_class=HTMLResponse)
async def save_ledger(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        kind = text(form, "expiry_kind")
        if kind not in {k.value for k in ExpiryKind}:
            raise InvalidInput("Unknown expiry kind.", field="expiry_kind")
        period = 0 if kind == ExpiryKind.NEVER.value else _int(form, "expiry_period")
        allow = text(form, "negative_mode") == NegativeMode.ALLOW.value
        negative = NegativePolicy.allow_negative(_int(form, "negative_limit")) if allow else NegativePolicy()
        container(request).ledger().update_policies(
            actor.alliance_id, expiry=ExpiryPolicy(ExpiryKind(kind), period), negative=negative, actor=actor
        )
        return redirect("/ops/settings", done="settings_saved")

    return await handle_post(request, act, lambda error: _settings_page(request, actor, error=error))


@router.post("/ops/settings/breakage", response_class=HTMLResponse)
async def save_breakage(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        mode = text(form, "breakage_mode")
        if mode not in {m.value for m in BreakageMode}:
            raise InvalidInput("Unknown breakage mode.", field="breakage_mode")
        settlement_admin(container(request)).set_breakage_mode(
            actor, BreakageMode(mode), idempotency_key=text(form, "idempotency_key")
        )
        return redirect("/ops/settings", done="settings_saved")

    return await handle_post(request, act, lambda error: _settings_page(request, actor, error=error))


@router.post("/ops/settings/terms", response_class=HTMLResponse)
async def publish_terms(request: Request) -> Response:
    """A new version of the membership terms: members agree again at their next visit."""
    actor = operator(request)
    typed: dict[str, str] = {}

    def act(form: FormData) -> Response:
        require_configure(actor)
        typed.update(version=text(form, "terms_version"), body=str(form.get("terms_body") or ""))
        container(request).members.profiles.publish_terms(
            actor, version=typed["version"], body=typed["body"], idempotency_key=text(form, "idempotency_key")
        )
        return redirect("/ops/settings", done="terms_published")

    return await handle_post(
        request, act, lambda error: _settings_page(request, actor, error=error, terms_form=typed or None)
    )


# --- campaigns ---------------------------------------------------------------------------------


def _campaigns_page(request: Request, actor: Actor, *, error: str = "") -> HTMLResponse:
    box = container(request)
    services = alliance_services(request)
    now = box.clock.now()
    campaigns = box.loyalty.list_campaigns(alliance_id=actor.alliance_id)
    return render(
        request,
        "ops/campaigns.html",
        actor=actor,
        active="/ops/campaigns",
        campaigns=sorted(campaigns, key=lambda c: c.campaign_id, reverse=True),
        budgets=box.loyalty.budget_use(alliance_id=actor.alliance_id, campaigns=campaigns),
        state_of=lambda c: _state(c, now),
        merchants={m.id: m.name for m in services.merchants.list(actor)},
        categories={c.code: c.name for c in services.alliances.categories(actor)},
        today=business_date(now),
        error=error,
        status_code=422 if error else 200,
    )


def _state(campaign: Any, now: datetime) -> str:
    if campaign.ended_at is not None or (campaign.ends_at is not None and campaign.ends_at <= now):
        return "ended"
    if campaign.starts_at is not None and campaign.starts_at > now:
        return "scheduled"
    return "running"


@router.get("/ops/campaigns", response_class=HTMLResponse)
def campaigns(request: Request) -> Response:
    return _campaigns_page(request, operator(request))


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("Not a date.", field=field) from exc


@router.post("/ops/campaigns", response_class=HTMLResponse)
async def create_campaign(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        first, last = _day(text(form, "first_day"), "first_day"), _day(text(form, "last_day"), "last_day")
        weekdays = [int(d) for d in form.getlist("weekdays") if isinstance(d, str) and d in "1234567"]
        container(request).loyalty.create_campaign(
            alliance_id=actor.alliance_id,
            name=text(form, "name"),
            multiplier=_decimal(form, "multiplier"),
            starts_at=start_of_business_day(first) if first else None,
            ends_at=start_of_business_day(last + timedelta(days=1)) if last else None,  # the last day counts
            weekdays=weekdays,
            merchant_ids=[m for m in form.getlist("merchant_ids") if isinstance(m, str) and m],
            trade_categories=[c for c in form.getlist("trade_categories") if isinstance(c, str) and c],
            members_only=form.get("members_only") == "on",
            budget_points=_int(form, "budget_points") if text(form, "budget_points") else None,
            actor_id=actor.id,
            idempotency_key=text(form, "idempotency_key"),
        )
        return redirect("/ops/campaigns", done="campaign_created")

    return await handle_post(request, act, lambda error: _campaigns_page(request, actor, error=error))


@router.post("/ops/campaigns/{campaign_id}/end", response_class=HTMLResponse)
async def end_campaign(request: Request, campaign_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        require_configure(actor)
        container(request).loyalty.end_campaign(
            alliance_id=actor.alliance_id,
            campaign_id=campaign_id,
            actor_id=actor.id,
            idempotency_key=text(form, "idempotency_key"),
        )
        return redirect("/ops/campaigns", done="campaign_ended")

    return await handle_post(request, act, lambda error: _campaigns_page(request, actor, error=error))


# --- issuance limits ---------------------------------------------------------------------------


def _limits_page(request: Request, actor: Actor, *, error: str = "") -> HTMLResponse:
    admin = settlement_admin(container(request))
    merchants = alliance_services(request).merchants.list(actor)
    return render(
        request,
        "ops/limits.html",
        actor=actor,
        active="/ops/limits",
        limits=admin.limits(actor),
        near={s.merchant_id for s in admin.near_limit(actor)},
        merchants=merchants,
        names={m.id: m.name for m in merchants},
        period_kinds=[k.value for k in PeriodKind],
        modes=[m.value for m in LimitMode],
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/ops/limits", response_class=HTMLResponse)
def limits(request: Request) -> Response:
    return _limits_page(request, operator(request))


@router.post("/ops/limits", response_class=HTMLResponse)
async def set_limit(request: Request) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        kind, mode = text(form, "period_kind"), text(form, "mode")
        if kind not in {k.value for k in PeriodKind} or mode not in {m.value for m in LimitMode}:
            raise InvalidInput("Choose a period and a mode.", field="period_kind")
        merchant = alliance_services(request).merchants.get(actor, text(form, "merchant_id"))
        settlement_admin(container(request)).set_limit(
            actor,
            merchant_id=merchant.id,
            limit_points=_int(form, "limit_points"),
            period_kind=PeriodKind(kind),
            mode=LimitMode(mode),
            idempotency_key=text(form, "idempotency_key"),
        )
        return redirect("/ops/limits", done="limit_set")

    return await handle_post(request, act, lambda error: _limits_page(request, actor, error=error))
