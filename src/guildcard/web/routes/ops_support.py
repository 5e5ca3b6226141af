"""What every operator page shares: the signed-in operator, rendering with the side menu,
form posts (CSRF, thread pool, service errors shown as a notice) and idempotency keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.services.facade import AllianceServices
from guildcard.api.auth import CsrfFailed
from guildcard.bootstrap import Container
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import BUSINESS_TZ
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.kernel.ids import new_id
from guildcard.web.forms import error_field, is_validation, keep_typed
from guildcard.web.i18n import error_message, translations
from guildcard.web.pages import language_of, render_page
from guildcard.web.session import check_csrf, container_of, require_actor

LOGIN_URL = "/ops/login"

# The side menu: (path, message id). Message ids are translated in ops.po.
MENU = (
    ("/ops", "Dashboard"),
    ("/ops/applications", "Applications"),
    ("/ops/merchants", "Merchants"),
    ("/ops/settings", "Settings"),
    ("/ops/campaigns", "Campaigns"),
    ("/ops/coupons", "Coupons and rewards"),
    ("/ops/rewards", "Mall, check-in, lottery"),
    ("/ops/limits", "Issuance limits"),
    ("/ops/tiers", "Tiers"),
    ("/ops/wallets", "Stored value"),
    ("/ops/settlement", "Settlement"),
    ("/ops/insights", "Member insights"),
    ("/ops/members/duplicates", "Duplicates and merges"),
    ("/ops/automation", "Automation"),
    ("/ops/audit", "Audit log"),
)

# ``?done=<key>`` after a successful form post -> the notice shown on the next page.
DONE_MESSAGES = {
    "signed_out": "You are signed out.",
    "activated": "Your account is active. Sign in with your new password.",
    "password_changed": "Password changed. Sign in again with the new password.",
    "verified": "The ledger was verified.",
    "approved": "The application was approved.",
    "rejected": "The application was rejected.",
    "changes_requested": "The applicant was asked for changes.",
    "terms_set": "The new terms were saved.",
    "suspended": "The merchant was suspended.",
    "reactivated": "The merchant was reactivated.",
    "settings_saved": "Settings saved.",
    "terms_published": "The new terms were published. Members agree again at their next visit.",
    "campaign_created": "The campaign was created.",
    "campaign_ended": "The campaign was ended.",
    "limit_set": "The issuance limit was saved.",
    "closed": "The period was closed.",
    "linkage_run": "The duplicate search ran; new pairs are listed below.",
    "merged": "The two members were merged. The merge can be undone for 30 days.",
    "unmerged": "The merge was undone.",
    "pair_reviewed": "The pair was marked.",
    "rule_created": "The rule was added.",
    "rule_paused": "The rule was paused.",
    "rule_resumed": "The rule was resumed.",
    "message_retried": "The message will be sent again.",
    "codes_voided": "The unused codes of the batch were voided.",
    "codes_already_exported": "These codes were already downloaded; they are shown only once.",
}


def operator(request: Request) -> Actor:
    return require_actor(request, ActorKind.OPERATOR, login_url=LOGIN_URL)


def alliance_services(request: Request) -> AllianceServices:
    services = container_of(request).alliance
    assert services is not None, "the alliance context is wired in bootstrap"
    return services


def container(request: Request) -> Container:
    return container_of(request)


def require_configure(actor: Actor) -> None:
    """Alliance-wide settings (loyalty, ledger policies, campaigns): administrators only."""
    authorize(actor, Perm.ALLIANCE_CONFIGURE, alliance_id=actor.alliance_id)


def _refused(page: Response) -> Response:
    """A forged form: the page says so with 403; never a redirect that reads like success."""
    if 300 <= page.status_code < 400:
        raise CsrfFailed("The form expired: reload the page and try again.")
    page.status_code = 403
    return page


def translate(request: Request, message: str) -> str:
    return translations(language_of(request)).gettext(message)


def error_text(request: Request, exc: GuildCardError) -> str:
    return error_message(exc, language_of(request))


def render(
    request: Request,
    template: str,
    *,
    actor: Actor | None,
    active: str = "",
    status_code: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    return render_page(
        request,
        template,
        status_code=status_code,
        actor=actor,
        menu=MENU,
        active=active,
        new_key=lambda: new_id("idem"),
        done=request.query_params.get("done", ""),
        done_messages=DONE_MESSAGES,
        **ctx,
    )


def redirect(path: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, status_code=303)


def form_values(form: FormData) -> dict[str, list[str]]:
    return {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in form}


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def handle_post(
    request: Request,
    action: Callable[[FormData], Response],
    on_error: Callable[[str], Response],
) -> Response:
    """Check CSRF (a failure is a 403 ``csrf_failed``), run ``action`` off the event loop; a service
    error re-renders via ``on_error`` with what was typed kept and the field named (``keep_typed``)."""
    form = await request.form()
    try:  # before anything else
        check_csrf(request, text(form, "csrf_token"))
    except CsrfFailed as forged:
        message = error_text(request, forged)
        return await run_in_threadpool(lambda: _refused(on_error(message)))

    def run() -> Response:
        try:
            return action(form)
        except GuildCardError as exc:
            message = error_text(request, exc)
            if not is_validation(exc):  # refused for who or when: the page shows what is stored
                return on_error(message)
            return keep_typed(
                on_error(message), action=request.url.path, values=form_values(form), field=error_field(exc),
                message=message,
            )  # fmt: skip

    return await run_in_threadpool(run)


def form_number(form: FormData, name: str, *, default: int | None) -> int | None:
    """A whole number typed in field ``name`` (``default`` when blank)."""
    raw = text(form, name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInput("This is not a whole number.", field=name) from exc


def form_day(form: FormData, name: str, *, end: bool = False) -> datetime | None:
    """A calendar day typed in field ``name``: its start (or, with ``end``, its last moment) in
    Asia/Shanghai; None when blank."""
    raw = text(form, name)
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar day, placed below
    except ValueError as exc:
        raise InvalidInput("This is not a date (YYYY-MM-DD).", field=name) from exc
    return datetime.combine(day, time.max if end else time.min, BUSINESS_TZ)
