"""Merchant onboarding: the public application and the operators' review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from guildcard.alliance.domain.errors import Forbidden
from guildcard.alliance.domain.onboarding import ApplicationStatus, ReviewDecision
from guildcard.alliance.services.onboarding import ApplicationForm
from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ClientIp
from guildcard.api.permits import requires
from guildcard.api.v1.alliance_common import PROBLEMS, IdempotencyKey, Services, mark_replay
from guildcard.api.v1.alliance_schemas import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationSubmitted,
    ApprovalRead,
    CategoryItem,
    MerchantRead,
    ReviewCreate,
    StaffRead,
    StatusEventRead,
    StoreRead,
)
from guildcard.kernel.permissions import P

router = APIRouter(prefix="/api/v1", tags=["onboarding"], responses=PROBLEMS)


def _form(body: ApplicationCreate) -> ApplicationForm:
    return ApplicationForm(**body.model_dump())


@router.get("/alliances/{alliance}/trade-categories", response_model=list[CategoryItem])
def public_categories(alliance: str, services: Services) -> list[CategoryItem]:
    """Public: the trade categories (业态) an applicant may choose. `alliance` is its id or code."""
    return [CategoryItem.of(c) for c in services.alliances.public_categories(alliance)]


@router.post(
    "/alliances/{alliance}/merchant-applications",
    response_model=ApplicationSubmitted,
    status_code=status.HTTP_201_CREATED,
    responses={
        409: {"description": "The credit code already applied (`alliance.duplicate_credit_code`)."},
        429: {"description": "Too many applications from this address."},
    },
)
def submit_application(
    *,
    alliance: str,
    body: ApplicationCreate,
    services: Services,
    ip: ClientIp,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ApplicationSubmitted:
    """Public (no account): a merchant applies to join (入驻). Rate-limited per address.

    Errors: `alliance.invalid_credit_code`, `alliance.unknown_trade_category`, `invalid_phone`,
    `alliance.invalid_coordinates`, `alliance.duplicate_credit_code`.
    """
    created = services.onboarding.submit(alliance, _form(body), client_ip=ip, idempotency_key=idempotency_key)
    mark_replay(response, created.replayed)
    return ApplicationSubmitted(
        application=ApplicationRead.of(created.value.application),
        applicant_token=created.value.applicant_token,
    )


@router.put("/alliances/{alliance}/merchant-applications/{application_id}", response_model=ApplicationRead)
def revise_application(
    alliance: str,
    application_id: str,
    body: ApplicationCreate,
    services: Services,
    applicant_token: Annotated[str, Header(alias="X-Applicant-Token", max_length=200)],
) -> ApplicationRead:
    """Public: the applicant answers a request for changes with the token given at submission."""
    return ApplicationRead.of(
        services.onboarding.revise(alliance, application_id, applicant_token, _form(body))
    )


@router.get("/merchant-applications", response_model=list[ApplicationRead])
def list_applications(
    actor: CurrentActor,
    services: Services,
    status_: Annotated[ApplicationStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ApplicationRead]:
    """Operators: applications of their alliance, newest first."""
    return [ApplicationRead.of(a) for a in services.onboarding.list(actor, status=status_, limit=limit)]


@router.get("/merchant-applications/{application_id}", response_model=ApplicationRead)
def get_application(application_id: str, actor: CurrentActor, services: Services) -> ApplicationRead:
    return ApplicationRead.of(services.onboarding.get(actor, application_id))


@router.get("/merchant-applications/{application_id}/history", response_model=list[StatusEventRead])
def application_history(
    application_id: str, actor: CurrentActor, services: Services
) -> list[StatusEventRead]:
    """Every transition of the application: who, when, why."""
    return [StatusEventRead.model_validate(e) for e in services.onboarding.history(actor, application_id)]


@router.post(
    "/merchant-applications/{application_id}/reviews",
    response_model=ApprovalRead,
    dependencies=[requires(P.APPLICATION_REVIEW, Forbidden)],
)
def review_application(
    *,
    application_id: str,
    body: ReviewCreate,
    actor: CurrentActor,
    services: Services,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ApprovalRead:
    """Admins and reviewers: approve, reject (reason) or ask for changes (reason).

    Approval creates the merchant, its first store and an owner account, and answers the owner's
    one-time activation token (shown once).
    """
    created = services.onboarding.review(
        actor,
        application_id,
        ReviewDecision(body.decision),
        reason=body.reason,
        owner_login=body.owner_login,
        owner_name=body.owner_name,
        idempotency_key=idempotency_key,
    )
    mark_replay(response, created.replayed)
    a = created.value
    return ApprovalRead(
        application=ApplicationRead.of(a.application),
        merchant=MerchantRead.of(a.merchant) if a.merchant else None,
        store=StoreRead.of(a.store) if a.store else None,
        owner=StaffRead.of(a.owner) if a.owner else None,
        owner_activation_token=a.owner_activation_token,
    )
