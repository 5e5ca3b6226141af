"""Who is signed in on a page, and CSRF protection for forms.

Pages use the same session tokens as the API (``gc_session`` cookie). Every form that
changes something carries ``csrf_token`` (an HMAC of the session token, see
``guildcard.api.auth.csrf_token_for``) and the route calls ``check_csrf`` before acting.
"""

from __future__ import annotations

import hmac
from urllib.parse import quote

from fastapi import Request
from markupsafe import Markup

from guildcard.api.auth import SESSION_COOKIE, CsrfFailed, csrf_token_for, resolve_actor
from guildcard.bootstrap import Container
from guildcard.kernel.actors import Actor, ActorKind


class LoginRequired(Exception):
    """The page needs a signed-in actor of another kind: send the browser to ``login_url``."""

    def __init__(self, login_url: str) -> None:
        super().__init__(login_url)
        self.login_url = login_url


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def page_actor(request: Request) -> Actor | None:
    if hasattr(request.state, "page_actor"):
        cached: Actor | None = request.state.page_actor
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    actor = resolve_actor(container_of(request), token) if token else None
    request.state.page_actor = actor
    return actor


def require_actor(request: Request, *kinds: ActorKind, login_url: str) -> Actor:
    """The signed-in actor, if of one of ``kinds``; else a redirect to ``login_url?next=...``."""
    actor = page_actor(request)
    if actor is None or (kinds and actor.kind not in kinds):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(f"{login_url}?next={quote(target)}")
    return actor


def csrf_token(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE, "")
    return csrf_token_for(container_of(request).settings.secret("secret_key"), token) if token else ""


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token(request))


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose token does not match the session (403 ``csrf_failed``)."""
    expected = csrf_token(request)
    if not expected or not hmac.compare_digest(submitted or "", expected):
        raise CsrfFailed("The form expired: reload the page and try again.")  # a person reads it


def sole_alliance_code(container: Container) -> str:
    """The alliance code to prefill on a login page when the deployment has only one."""
    assert container.alliance is not None, "the alliance context is wired in bootstrap"
    alliances = container.alliance.alliances.list_alliances()
    return alliances[0].code if len(alliances) == 1 else ""


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths may follow a login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return default
