"""Who is calling: a bearer token (API) or the session cookie (pages) becomes an ``Actor``.

Establishing identity is all this module does; what the actor may do with an object is
decided by the services.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from guildcard.api.deps import ContainerDep
from guildcard.auth import tokens
from guildcard.bootstrap import Container
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import PermissionDenied, Unauthenticated

SESSION_COOKIE = "gc_session"
CSRF_COOKIE = "gc_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CsrfFailed(PermissionDenied):
    """A request signed in by the session cookie must carry the matching X-CSRF-Token header."""

    code = "csrf_failed"


def csrf_token_for(secret_key: str, session_token: str) -> str:
    """The CSRF token bound to a session: readable by the page (``gc_csrf``), unforgeable elsewhere."""
    return hmac.new(secret_key.encode(), b"csrf\x1f" + session_token.encode(), hashlib.sha256).hexdigest()


def _check_csrf(request: Request, secret_key: str, session_token: str) -> None:
    if request.method in _SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent, csrf_token_for(secret_key, session_token)):
        raise CsrfFailed()


_bearer = HTTPBearer(auto_error=False, description="A session token or a store's POS API key.")


def credential_of(request: Request, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if bearer is not None and bearer.scheme.lower() == "bearer":
        return bearer.credentials
    return request.cookies.get(SESSION_COOKIE)


def set_session_cookies(
    response: Response, *, container: Container, request: Request, token: str, max_age: int
) -> str:
    """Sign a browser in: the HttpOnly session cookie and the readable CSRF cookie; returns the CSRF token."""
    csrf = csrf_token_for(container.settings.secret("secret_key"), token)
    secure = not container.settings.is_development or request.url.scheme == "https"
    options = {"max_age": max_age, "samesite": "lax", "secure": secure, "path": "/"}
    response.set_cookie(SESSION_COOKIE, token, httponly=True, **options)  # type: ignore[arg-type]
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, **options)  # type: ignore[arg-type]
    return csrf


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def resolve_actor(container: Container, credential: str) -> Actor | None:
    """The actor behind a session token or another credential (POS key), or None."""
    cached = container.actor_cache.get(credential)
    if cached is not None:
        return cached
    now = container.clock.now()
    with container.database.read() as conn:
        subject = tokens.resolve(conn, credential, now=now)
        loader = container.actor_loaders.get(subject.actor_kind) if subject else None
        actor = loader(conn, subject) if loader and subject else None
        if subject is None:
            for authenticate in container.credential_authenticators:
                actor = authenticate(conn, credential)
                if actor is not None:
                    break
    # Bookkeeping writes run after the read has closed: never two pooled connections at once.
    if actor is not None and subject is not None and subject.needs_touch:
        with container.database.write() as conn:
            tokens.touch(conn, subject, now=now)
    if actor is not None and subject is None:
        for touch in container.credential_touchers:
            touch(credential)
    if actor is not None:
        container.actor_cache.put(credential, actor)
    return actor


def current_actor(
    request: Request,
    container: ContainerDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    credential = credential_of(request, bearer)
    if not credential:
        raise Unauthenticated()
    if (
        bearer is None or bearer.scheme.lower() != "bearer"
    ):  # signed in by the cookie: the browser sends it on its own, so check CSRF
        _check_csrf(request, container.settings.secret("secret_key"), credential)
    actor = resolve_actor(container, credential)
    if actor is None:
        raise Unauthenticated("The credential is unknown, expired or revoked.")
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
