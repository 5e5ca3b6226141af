"""Operator console: merchant applications (review), merchants (contracts, status)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.alliance.domain.contracts import ContractTerms, version_in_force
from guildcard.alliance.domain.errors import NoContract, TermsOutOfLimits
from guildcard.alliance.domain.model import MerchantStatus
from guildcard.alliance.domain.onboarding import ApplicationStatus, ReviewDecision
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import business_date
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.privacy.phones import mask_phone
from guildcard.web import contract_form
from guildcard.web.forms import keep_typed
from guildcard.web.routes.ops_support import (
    alliance_services,
    container,
    form_values,
    handle_post,
    operator,
    redirect,
    render,
    text,
)

router = APIRouter(include_in_schema=False)
STATUSES = [s.value for s in ApplicationStatus]


# --- applications ------------------------------------------------------------------------------


@router.get("/ops/applications", response_class=HTMLResponse)
def applications(request: Request, status: str = "submitted") -> Response:
    actor = operator(request)
    chosen = ApplicationStatus(status) if status in STATUSES else None
    found = alliance_services(request).onboarding.list(actor, status=chosen, limit=200)
    return render(
        request,
        "ops/applications.html",
        actor=actor,
        active="/ops/applications",
        applications=found,
        status=chosen.value if chosen else "all",
        statuses=STATUSES,
        categories=_category_names(request, actor),
    )


def _category_names(request: Request, actor: Actor) -> dict[str, str]:
    return {c.code: c.name for c in alliance_services(request).alliances.categories(actor)}


def _application_page(
    request: Request, actor: Actor, application_id: str, *, error: str = "", approval: object = None
) -> HTMLResponse:
    services = alliance_services(request)
    application = services.onboarding.get(actor, application_id)
    return render(
        request,
        "ops/application.html",
        actor=actor,
        active="/ops/applications",
        application=application,
        phone=mask_phone(application.details.contact_phone),
        history=services.onboarding.history(actor, application_id),
        categories=_category_names(request, actor),
        approval=approval,
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/ops/applications/{application_id}", response_class=HTMLResponse)
def application(request: Request, application_id: str) -> Response:
    return _application_page(request, operator(request), application_id)


@router.post("/ops/applications/{application_id}/review", response_class=HTMLResponse)
async def review(request: Request, application_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        decision = ReviewDecision(text(form, "decision")) if text(form, "decision") in _DECISIONS else None
        if decision is None:
            raise InvalidInput("Unknown decision.", field="decision")
        result = alliance_services(request).onboarding.review(
            actor,
            application_id,
            decision,
            reason=text(form, "reason") or None,
            owner_login=text(form, "owner_login") or None,
            owner_name=text(form, "owner_name") or None,
            idempotency_key=text(form, "idempotency_key") or None,
        )
        if decision is ReviewDecision.APPROVE:
            # The owner's activation token is shown once: on this page, not after a redirect.
            return _application_page(request, actor, application_id, approval=result.value)
        done = "rejected" if decision is ReviewDecision.REJECT else "changes_requested"
        return redirect(f"/ops/applications/{application_id}", done=done)

    return await handle_post(
        request, act, lambda error: _application_page(request, actor, application_id, error=error)
    )


_DECISIONS = {ReviewDecision.APPROVE.value, ReviewDecision.REJECT.value, ReviewDecision.REQUEST_CHANGES.value}


# --- merchants ---------------------------------------------------------------------------------


@router.get("/ops/merchants", response_class=HTMLResponse)
def merchants(request: Request, status: str = "") -> Response:
    actor = operator(request)
    chosen = MerchantStatus(status) if status in {s.value for s in MerchantStatus} else None
    return render(
        request,
        "ops/merchants.html",
        actor=actor,
        active="/ops/merchants",
        merchants=alliance_services(request).merchants.list(actor, status=chosen),
        status=chosen.value if chosen else "",
        categories=_category_names(request, actor),
    )


def _merchant_page(
    request: Request, actor: Actor, merchant_id: str, *, error: str = "", preview: ContractTerms | None = None
) -> HTMLResponse:
    services = alliance_services(request)
    merchant = services.merchants.get(actor, merchant_id)
    now = container(request).clock.now()
    try:
        versions = services.contracts.history(actor, merchant_id)
    except GuildCardError:  # a role without contract access still sees the merchant
        versions = []
    try:
        current = version_in_force(versions, now).terms if versions else None
    except NoContract:
        current = None
    limits = services.alliances.get(actor).limits
    return render(
        request,
        "ops/merchant.html",
        actor=actor,
        active="/ops/merchants",
        merchant=merchant,
        phone=services.merchants.masked_phone(actor, merchant_id),
        stores=services.stores.list(actor, merchant_id),
        versions=sorted(versions, key=lambda v: v.effective_from, reverse=True),
        current=contract_form.shown(current) if current else None,
        current_example=contract_form.example(current) if current else None,
        preview=contract_form.example(preview) if preview else None,
        shown=contract_form.shown,
        fields=tuple(contract_form.FIELDS),
        limits=contract_form.shown_bounds(limits.bounds),
        history=services.merchants.history(actor, merchant_id),
        categories=_category_names(request, actor),
        today=business_date(now),
        tomorrow=business_date(now) + timedelta(days=1),
        now=now,
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/ops/merchants/{merchant_id}", response_class=HTMLResponse)
def merchant(request: Request, merchant_id: str) -> Response:
    actor = operator(request)
    return _merchant_page(request, actor, merchant_id)


def _terms(form: FormData) -> ContractTerms:
    """The typed terms (yuan, percent) as stored terms; a mistake names its field."""
    return contract_form.parse({name: text(form, name) for name in contract_form.FIELDS})


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("Not a date.", field="effective_from") from exc


@router.post("/ops/merchants/{merchant_id}/contracts", response_class=HTMLResponse)
async def set_terms(request: Request, merchant_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        terms = _terms(form)
        if text(form, "preview"):  # the example for the typed terms, the form as typed
            page = _merchant_page(request, actor, merchant_id, preview=terms)
            return keep_typed(page, action=request.url.path, values=form_values(form), field=None, message="")
        try:
            alliance_services(request).contracts.set_terms(
                actor,
                merchant_id,
                terms,
                effective_from=_date(text(form, "effective_from")),
                idempotency_key=text(form, "idempotency_key") or None,
            )
        except TermsOutOfLimits as exc:
            term = exc.details.get("field")
            raise contract_form.out_of_limits(term) if isinstance(term, str) else exc from exc
        return redirect(f"/ops/merchants/{merchant_id}", done="terms_set")

    return await handle_post(
        request, act, lambda error: _merchant_page(request, actor, merchant_id, error=error)
    )


@router.post("/ops/merchants/{merchant_id}/status", response_class=HTMLResponse)
async def set_status(request: Request, merchant_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        suspend = text(form, "status") == MerchantStatus.SUSPENDED.value
        alliance_services(request).merchants.set_status(
            actor,
            merchant_id,
            MerchantStatus.SUSPENDED if suspend else MerchantStatus.ACTIVE,
            reason=text(form, "reason") or None,
        )
        return redirect(f"/ops/merchants/{merchant_id}", done="suspended" if suspend else "reactivated")

    return await handle_post(
        request, act, lambda error: _merchant_page(request, actor, merchant_id, error=error)
    )
