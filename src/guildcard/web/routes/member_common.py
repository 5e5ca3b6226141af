"""Shared by the member pages: who is signed in, and service errors as translated notices."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from babel.dates import format_timedelta
from fastapi import Request

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import GuildCardError, RateLimited
from guildcard.web.i18n import error_message, translations
from guildcard.web.pages import language_of
from guildcard.web.session import LoginRequired, container_of, require_actor

LOGIN_URL = "/m/login"
ALLIANCE_COOKIE = "gc_member_alliance"  # which alliance's login page a signed-out member goes back to
AGREE_URL = "/m/terms/agree"  # where a member agrees to a new version of the terms
# Member pages a member reaches without agreeing to new terms: leaving must stay possible.
WITHOUT_TERMS = ("/m/settings/export", "/m/settings/erase")
CONSENT_VERSION = "2026-11"  # the wording of the optional consents on the settings page

# What a member can act on, from the error's details, after its message (member.po translates them).
ATTEMPTS_LEFT = "%(left)s attempts left."
TRY_AGAIN_IN = "Please try again in %(wait)s."


def gettext(request: Request, message: str) -> str:
    return translations(language_of(request)).gettext(message)


def notice_for(request: Request, error: GuildCardError) -> str:
    """The error as a sentence in the page's language (never a code or a stack trace)."""
    language = language_of(request)
    text = error_message(error, language)
    seconds = error.details.get("retry_after")
    if seconds is not None:  # Babel words it: "40 seconds", "13 hours", "40秒钟"
        wait = format_timedelta(timedelta(seconds=seconds), locale=language.replace("-", "_"))
        text += " " + gettext(request, TRY_AGAIN_IN) % {"wait": wait}
    left = error.details.get("attempts_left")
    if left is not None:
        text += " " + gettext(request, ATTEMPTS_LEFT) % {"left": left}
    return text


def status_for(error: GuildCardError) -> int:
    return 429 if isinstance(error, RateLimited) else 422


def member(request: Request) -> Actor:
    """The signed-in member, or a redirect to the member login page.

    A member who has not agreed to the alliance's current terms version is sent to agree first.
    """
    actor = require_actor(request, ActorKind.MEMBER, login_url=LOGIN_URL)
    if request.url.path not in WITHOUT_TERMS:
        profiles = container_of(request).members.profiles
        if profiles.terms_to_agree(alliance_id=actor.alliance_id, member_id=actor.id) is not None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(f"{AGREE_URL}?next={quote(here if request.method == 'GET' else '/m')}")
    return actor
