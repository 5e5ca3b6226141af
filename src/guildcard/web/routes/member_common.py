"""Shared by the member pages: who is signed in, and service errors as translated notices."""

from __future__ import annotations

from fastapi import Request

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import GuildCardError, RateLimited
from guildcard.web.i18n import translations
from guildcard.web.pages import language_of
from guildcard.web.session import require_actor

LOGIN_URL = "/m/login"
ALLIANCE_COOKIE = "gc_member_alliance"  # which alliance's login page a signed-out member goes back to
TERMS_VERSION = "2026-11"  # the membership terms and privacy notice a new member accepts
CONSENT_VERSION = "2026-11"  # the wording of the optional consents on the settings page

# Stable error codes -> message ids (member.po translates them); others show their own message.
ERROR_MESSAGES = {
    "invalid_phone": "Please enter a valid mobile phone number.",
    "members.otp_invalid": "The code is wrong.",
    "members.otp_expired": "The code has expired. Please request a new one.",
    "members.otp_attempts_exhausted": "Too many wrong codes. Please request a new one.",
    "members.otp_resend_too_soon": "A code was just sent. Please wait %(seconds)s seconds.",
    "members.otp_daily_limit": "Too many codes for this phone number today. Please try again tomorrow.",
    "members.too_many_requests": "Too many attempts. Please try again in a while.",
    "members.sms_unavailable": "Text messages cannot be sent right now. Please try again later.",
    "members.terms_consent_required": "To join, please accept the membership terms.",
    "members.unknown_alliance": "This alliance does not exist.",
    "alliance.alliance_not_found": "This alliance does not exist.",
    "members.not_found": "This membership no longer exists.",
    "members.invalid_profile": "Some details are not valid.",
}
ATTEMPTS_LEFT = "%(left)s attempts left."


def gettext(request: Request, message: str) -> str:
    return translations(language_of(request)).gettext(message)


def notice_for(request: Request, error: GuildCardError) -> str:
    """The error as a sentence in the page's language (never a code or a stack trace)."""
    message_id = ERROR_MESSAGES.get(error.code)
    if message_id is None:
        return error.message
    seconds = error.details.get("retry_after", "")
    text = (
        gettext(request, message_id) % {"seconds": seconds}
        if "%(" in message_id
        else gettext(request, message_id)
    )
    left = error.details.get("attempts_left")
    if left is not None:
        text += " " + gettext(request, ATTEMPTS_LEFT) % {"left": left}
    return text


def status_for(error: GuildCardError) -> int:
    return 429 if isinstance(error, RateLimited) else 422


def member(request: Request) -> Actor:
    """The signed-in member, or a redirect to the member login page."""
    return require_actor(request, ActorKind.MEMBER, login_url=LOGIN_URL)
