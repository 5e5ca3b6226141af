"""Operator console: sign-in, activation, password, the dashboard and ledger verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from guildcard.alliance.domain.model import MerchantStatus
from guildcard.alliance.services.auth import SESSION_TTL
from guildcard.api.auth import SESSION_COOKIE, clear_session_cookies, set_session_cookies
from guildcard.api.deps import client_ip
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.kernel.errors import GuildCardError
from guildcard.ledger.verify import verify_alliance
from guildcard.settlement.domain.periods import PeriodKind, period_containing
from guildcard.settlement.wiring import settlement_admin, settlement_service
from guildcard.web.queries import ops_metrics
from guildcard.web.routes.ops_support import (
    LOGIN_URL,
    alliance_services,
    container,
    error_text,
    handle_post,
    operator,
    redirect,
    render,
    text,
    translate,
)
from guildcard.web.session import container_of, page_actor, safe_next, sole_alliance_code

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Verification:
    at: datetime
    violations: list[str]


def _verifications(request: Request) -> dict[str, Verification]:
    """The last verification per alliance, kept by this process (a restart forgets it)."""
    state = request.app.state
    if not hasattr(state, "ops_verifications"):
        state.ops_verifications = {}
    found: dict[str, Verification] = state.ops_verifications
    return found


# --- sign-in ----------------------------------------------------------------------------------


def _login_page(request: Request, *, error: str = "", status_code: int = 200, **values: str) -> HTMLResponse:
    default_code = sole_alliance_code(container_of(request))
    return render(
        request,
        "ops/login.html",
        actor=None,
        error=error,
        status_code=status_code,
        alliance_code=values.get("alliance", default_code),
        login=values.get("login", ""),
        next=safe_next(request.query_params.get("next"), "/ops"),
    )


@router.get("/ops/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    actor = page_actor(request)
    if actor is not None and actor.kind is ActorKind.OPERATOR:
        return redirect("/ops")
    return _login_page(request)


@router.post("/ops/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    values = {name: text(form, name) for name in ("alliance", "login")}
    password = form.get("password")

    def run() -> Response:
        try:
            session = alliance_services(request).auth.login(
                alliance=values["alliance"],
                login=values["login"],
                password=password if isinstance(password, str) else "",
                client_ip=client_ip(request),
            )
        except GuildCardError as exc:
            return _login_page(request, error=error_text(request, exc), status_code=401, **values)
        if session.actor.kind is not ActorKind.OPERATOR:  # staff sign in on their own pages
            alliance_services(request).auth.logout(session.token)
            message = translate(request, "This console is for alliance operators. Staff sign in at /staff.")
            return _login_page(request, error=message, status_code=403, **values)
        response = redirect(safe_next(text(form, "next"), "/ops"))
        set_session_cookies(
            response,
            container=container(request),
            request=request,
            token=session.token,
            max_age=int(SESSION_TTL.total_seconds()),
        )
        return response

    return await run_in_threadpool(run)


@router.post("/ops/logout")
async def logout(request: Request) -> Response:
    def act(_form: object) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            alliance_services(request).auth.logout(token)
        response = redirect(LOGIN_URL, done="signed_out")
        clear_session_cookies(response)
        return response

    return await handle_post(request, act, lambda _error: redirect(LOGIN_URL))


@router.get("/ops/activate", response_class=HTMLResponse)
def activate_form(request: Request, token: str = "") -> Response:
    return render(request, "ops/activate.html", actor=None, token=token, error="")


@router.post("/ops/activate", response_class=HTMLResponse)
async def activate(request: Request) -> Response:
    form = await request.form()
    token, password = text(form, "token"), form.get("password")

    def run() -> Response:
        if not isinstance(password, str) or password != form.get("password_again"):
            return _activate_page(request, token, _differ(request))
        try:
            actor = alliance_services(request).auth.activate(token=token, password=password)
        except GuildCardError as exc:
            return _activate_page(request, token, error_text(request, exc))
        # One activation page serves both kinds of account: each signs in on its own pages.
        return redirect(LOGIN_URL if actor.kind is ActorKind.OPERATOR else "/staff/login", done="activated")

    return await run_in_threadpool(run)


def _activate_page(request: Request, token: str, error: str) -> Response:
    return render(request, "ops/activate.html", actor=None, token=token, error=error, status_code=422)


def _differ(request: Request) -> str:
    return translate(request, "The two passwords differ.")


@router.get("/ops/password", response_class=HTMLResponse)
def password_form(request: Request) -> Response:
    return render(request, "ops/password.html", actor=operator(request), error="")


@router.post("/ops/password", response_class=HTMLResponse)
async def change_password(request: Request) -> Response:
    actor = operator(request)

    def act(form: object) -> Response:
        assert hasattr(form, "get")
        new = form.get("new_password")
        if not isinstance(new, str) or new != form.get("new_password_again"):
            return render(request, "ops/password.html", actor=actor, error=_differ(request), status_code=422)
        current = form.get("current_password")
        alliance_services(request).auth.change_password(
            actor, current=current if isinstance(current, str) else "", new=new
        )
        response = redirect(LOGIN_URL, done="password_changed")  # every session was signed out
        clear_session_cookies(response)
        return response

    def fail(error: str) -> Response:
        return render(request, "ops/password.html", actor=actor, error=error, status_code=422)

    return await handle_post(request, act, fail)


# --- dashboard --------------------------------------------------------------------------------


def _flow_table(rows: list, names: dict[str, str], request: Request) -> tuple[list[str], list[list[int]]]:  # type: ignore[type-arg]
    """Flow rows (issuer, spent_at, points) -> labels and a square matrix for the heat table."""
    special = {"platform": translate(request, "Alliance grants"), "mall": translate(request, "Points mall")}
    ids = sorted({r.issuer for r in rows} | {r.spent_at for r in rows}, key=lambda i: (i in special, i))
    index = {merchant_id: n for n, merchant_id in enumerate(ids)}
    cells = [[0] * len(ids) for _ in ids]
    for row in rows:
        cells[index[row.issuer]][index[row.spent_at]] += row.points
    return [special.get(i) or names.get(i, i) for i in ids], cells


def _dashboard(request: Request, actor: Actor) -> HTMLResponse:
    box = container(request)
    now = box.clock.now()
    month = period_containing(PeriodKind.MONTH, now)
    merchants = alliance_services(request).merchants.list(actor)
    names = {m.id: m.name for m in merchants}
    admin = settlement_admin(box)
    liability = admin.liability(actor, month.key)
    with box.database.read() as conn:
        figures = ops_metrics.headline(conn, actor.alliance_id, today=business_date(now))
    settlement = settlement_service(box)
    # The month's figures are the sums of its statements (same period, same scope: late
    # corrections of closed months included), so the dashboard and the statements agree.
    statements = settlement.statements(actor, month.key)
    flows = settlement.flow_matrix(actor, month.key)
    labels, cells = _flow_table(flows, names, request)
    return render(
        request,
        "ops/dashboard.html",
        actor=actor,
        active="/ops",
        month=month,
        members=figures.members,
        active_merchants=sum(1 for m in merchants if m.status is MerchantStatus.ACTIVE),
        issued=sum(s.figures.points_issued for s in statements),
        redeemed=sum(s.figures.points_redeemed for s in statements),
        outstanding=sum(liability.outstanding.values()),
        trend=[(d.day.strftime("%m-%d"), d.issued) for d in figures.days],
        trend_total=sum(d.issued for d in figures.days),
        flow_labels=labels,
        flow_cells=cells,
        near=[(names.get(s.merchant_id, s.merchant_id), s) for s in admin.near_limit(actor)],
        verification=_verifications(request).get(actor.alliance_id),
        today_start=start_of_business_day(business_date(now)),
    )


@router.get("/ops", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    actor = operator(request)
    return await run_in_threadpool(_dashboard, request, actor)


@router.post("/ops/verify")
async def verify(request: Request) -> Response:
    """Check every ledger invariant of the alliance now (on demand: it reads the whole ledger)."""
    actor = operator(request)

    def act(_form: object) -> Response:
        box = container(request)
        with box.database.read() as conn:
            violations = verify_alliance(conn, actor.alliance_id)
        found = [f"{v.code}: {v.message}" for v in violations]
        _verifications(request)[actor.alliance_id] = Verification(box.clock.now(), found)
        return redirect("/ops", done="verified")

    return await handle_post(request, act, lambda error: redirect("/ops"))
