"""Sign-in for operators and staff: bearer tokens for the API, cookie sessions for pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from guildcard.alliance.services.auth import SESSION_TTL, Session
from guildcard.api.auth import (
    CurrentActor,
    _bearer,
    clear_session_cookies,
    credential_of,
    set_session_cookies,
)
from guildcard.api.deps import ClientIp, ContainerDep
from guildcard.api.v1.alliance_common import PROBLEMS, Services
from guildcard.api.v1.alliance_schemas import (
    ActivateCreate,
    ActorRead,
    LoginCreate,
    PasswordUpdate,
    SessionRead,
)
from guildcard.kernel.actors import Actor

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=PROBLEMS)


def _actor(actor: Actor) -> ActorRead:
    return ActorRead(
        kind=actor.kind.value,
        id=actor.id,
        alliance_id=actor.alliance_id,
        role=actor.role,
        merchant_id=actor.merchant_id,
        store_ids=sorted(actor.store_ids),
    )


def _read(session: Session, *, token: bool, csrf: str | None = None) -> SessionRead:
    return SessionRead(
        token=session.token if token else None,
        csrf_token=csrf,
        expires_at=session.expires_at,
        actor=_actor(session.actor),
    )


@router.post(
    "/login",
    response_model=SessionRead,
    responses={429: {"description": "Too many attempts (`alliance.too_many_login_attempts`), Retry-After."}},
)
def login(body: LoginCreate, services: Services, ip: ClientIp) -> SessionRead:
    """Operator or staff sign-in: answers a bearer token (12 hours). Rate-limited per account and address."""
    session = services.auth.login(
        alliance=body.alliance, login=body.login, password=body.password, client_ip=ip
    )
    return _read(session, token=True)


@router.post("/session", response_model=SessionRead)
def open_session(
    *,
    body: LoginCreate,
    services: Services,
    ip: ClientIp,
    container: ContainerDep,
    request: Request,
    response: Response,
) -> SessionRead:
    """Sign in for pages: sets the HttpOnly `gc_session` cookie and the `gc_csrf` cookie.

    Every unsafe request signed in by the cookie must send `X-CSRF-Token` equal to `gc_csrf`.
    """
    session = services.auth.login(
        alliance=body.alliance, login=body.login, password=body.password, client_ip=ip
    )
    csrf = set_session_cookies(
        response,
        container=container,
        request=request,
        token=session.token,
        max_age=int(SESSION_TTL.total_seconds()),
    )
    return _read(session, token=False, csrf=csrf)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    actor: CurrentActor,
    services: Services,
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Response:
    """Revoke the token (or the cookie session) used for this request."""
    credential = credential_of(request, bearer)
    if credential:
        services.auth.logout(credential)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response)
    return response


@router.get("/me", response_model=ActorRead)
def me(actor: CurrentActor) -> ActorRead:
    """Who is signed in: kind, role, merchant and stores."""
    return _actor(actor)


@router.post("/activate", response_model=ActorRead)
def activate(body: ActivateCreate, services: Services) -> ActorRead:
    """Set the first password with a one-time activation token (from approval or account creation)."""
    return _actor(services.auth.activate(token=body.token, password=body.password))


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordUpdate, actor: CurrentActor, services: Services) -> Response:
    """Change one's own password; every session of the account is signed out."""
    services.auth.change_password(actor, current=body.current_password, new=body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
