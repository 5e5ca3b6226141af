"""Who is calling: a bearer token (API) or the session cookie (pages) becomes an ``Actor``.

Establishing identity is all this module does; what the actor may do with an object is
decided by the services.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from guildcard.api.deps import ContainerDep
from guildcard.auth import tokens
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import Unauthenticated

SESSION_COOKIE = "gc_session"

_bearer = HTTPBearer(auto_error=False, description="A session token or a store's POS API key.")


def credential_of(request: Request, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if bearer is not None and bearer.scheme.lower() == "bearer":
        return bearer.credentials
    return request.cookies.get(SESSION_COOKIE)


def current_actor(
    request: Request,
    container: ContainerDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    credential = credential_of(request, bearer)
    if not credential:
        raise Unauthenticated()
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
    if actor is None:
        raise Unauthenticated("The credential is unknown, expired or revoked.")
    if subject is not None and subject.needs_touch:
        with container.database.write() as conn:
            tokens.touch(conn, subject, now=now)
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
