"""Authenticate before judging the body: a refused request never reveals the schema to a stranger.

FastAPI reads and validates the body while it resolves a route's dependencies, so a malformed
body would answer 422 (naming the fields it expected) before the caller's credential is looked
at. When validation fails, this module first does what the route's ``current_actor`` dependency
would have done: no or an unknown credential answers 401, a cookie session without its CSRF
token 403, and a role without the permission the route declares (``permits.requires``) 403.
Only a caller the route accepts learns what is wrong with the body.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param

from guildcard.api.auth import SESSION_COOKIE, _check_csrf, current_actor, resolve_actor
from guildcard.api.permits import declared
from guildcard.bootstrap import Container
from guildcard.kernel.errors import Unauthenticated


def needs_actor(dependant: Dependant) -> bool:
    """Whether ``current_actor`` is among the dependencies (at any depth)."""
    return any(d.call is current_actor or needs_actor(d) for d in dependant.dependencies)


def authenticate_first(request: Request) -> None:
    """Raise what the route's authentication would raise; return when the caller is accepted."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not needs_actor(route.dependant):
        return
    container: Container = request.app.state.container
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    by_bearer = scheme.lower() == "bearer" and bool(token)
    credential = token if by_bearer else request.cookies.get(SESSION_COOKIE)
    if not credential:
        raise Unauthenticated()
    if not by_bearer:
        _check_csrf(request, container.settings.secret("secret_key"), credential)
    actor = resolve_actor(container, credential)
    if actor is None:
        raise Unauthenticated("The credential is unknown, expired or revoked.")
    for permission in declared(route.dependant):
        permission.check(actor)
