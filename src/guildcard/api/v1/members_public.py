"""Public member endpoints of an alliance: ask for a one-time code, sign in (or register)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from guildcard.api.auth import set_session_cookies
from guildcard.api.deps import ContainerDep, client_ip
from guildcard.api.v1.members_schemas import (
    MemberRead,
    OtpCreate,
    OtpRead,
    SessionCreate,
    SessionRead,
    problems,
)
from guildcard.members.domain.model import Profile

router = APIRouter(prefix="/api/v1/alliances/{alliance_id}", tags=["members"])


@router.post("/otp", status_code=202, response_model=OtpRead, responses=problems(404, 422, 429, 503))
def request_code(alliance_id: str, body: OtpCreate, request: Request, container: ContainerDep) -> OtpRead:
    """Send a one-time code to the phone (valid 10 minutes; another after 60 s).

    The answer does not say whether the phone belongs to a member. Errors:
    `invalid_phone`, `members.otp_resend_too_soon`, `members.otp_daily_limit`,
    `members.too_many_requests` (429 with Retry-After), `members.unknown_alliance`.
    """
    sent = container.members.identity.request_code(
        alliance_id=alliance_id, phone=body.phone, purpose=body.purpose, client_ip=client_ip(request)
    )
    return OtpRead(phone_masked=sent.phone_masked, expires_in=sent.expires_in, resend_after=sent.resend_after)


@router.post(
    "/members/session", status_code=201, response_model=SessionRead, responses=problems(404, 422, 429)
)
def sign_in(
    alliance_id: str, body: SessionCreate, request: Request, response: Response, container: ContainerDep
) -> SessionRead:
    """Sign in with phone and code; a new phone registers (needs `accept_terms_version`).

    Returns a bearer token; with `set_cookie` also the `gc_session` cookie. Errors:
    `members.otp_invalid` (with `attempts_left`), `members.otp_expired`,
    `members.otp_attempts_exhausted`, `members.terms_consent_required`, `invalid_phone`.
    """
    profile = Profile(**body.profile.model_dump()) if body.profile else None
    signed = container.members.identity.sign_in(
        alliance_id=alliance_id,
        phone=body.phone,
        code=body.code,
        client_ip=client_ip(request),
        terms_version=body.accept_terms_version,
        profile=profile,
    )
    if body.set_cookie:
        set_session_cookies(
            response,
            container=container,
            request=request,
            token=signed.token,
            max_age=int((signed.expires_at - container.clock.now()).total_seconds()),
        )
    return SessionRead(
        token=signed.token,
        expires_at=signed.expires_at,
        registered=signed.registered,
        member=MemberRead.of(signed.member),
    )
