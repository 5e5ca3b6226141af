"""Operator console: settlement statements and closing a month; the audit log."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.audit.log import AuditFilter
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import start_of_business_day
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.settlement.domain.errors import InvalidPeriod
from guildcard.settlement.domain.periods import PeriodKind, parse_period, period_containing
from guildcard.settlement.domain.statement import Figures
from guildcard.settlement.wiring import settlement_service
from guildcard.web.audit_view import ACTIONS, action_label, readable
from guildcard.web.pages import language_of
from guildcard.web.routes.ops_support import (
    alliance_services,
    container,
    error_text,
    handle_post,
    operator,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 50


def _previous_month(request: Request) -> str:
    now = container(request).clock.now()
    this_month = period_containing(PeriodKind.MONTH, now)
    return period_containing(PeriodKind.MONTH, this_month.starts_at - timedelta(seconds=1)).key


def _settlement_page(request: Request, actor: Actor, period_key: str, *, error: str = "") -> HTMLResponse:
    box = container(request)
    try:
        period = parse_period(period_key)
    except InvalidPeriod as exc:
        period, error = parse_period(_previous_month(request)), error_text(request, exc)
    statements = settlement_service(box).statements(actor, period.key)
    totals = Figures(
        **{
            name: sum(getattr(s.figures, name) for s in statements)
            for name in ("points_issued", "points_redeemed", "member_sales", "commission", "net")
        }
    )
    closed = bool(statements) and all(s.status == "closed" for s in statements)
    return render(
        request,
        "ops/settlement.html",
        actor=actor,
        active="/ops/settlement",
        period=period,
        month_value=period.key if period.kind is PeriodKind.MONTH else "",
        statements=statements,
        totals=totals,
        closed=closed,
        ended=box.clock.now() >= period.ends_at,
        closed_at=next((s.closed_at for s in statements if s.closed_at), None),
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/ops/settlement", response_class=HTMLResponse)
def settlement(request: Request, period: str = "") -> Response:
    actor = operator(request)
    return _settlement_page(request, actor, period or _previous_month(request))


@router.post("/ops/settlement/{period_key}/close", response_class=HTMLResponse)
async def close(request: Request, period_key: str) -> Response:
    actor = operator(request)

    def act(_form: FormData) -> Response:
        settlement_service(container(request)).close(actor, period_key)
        return redirect("/ops/settlement", period=period_key, done="closed")

    return await handle_post(
        request, act, lambda error: _settlement_page(request, actor, period_key, error=error)
    )


# --- audit log ---------------------------------------------------------------------------------


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise InvalidInput("Not a date.", field="date") from exc


def _names(
    request: Request, actor: Actor
) -> tuple[dict[str, str], list[tuple[str, str]], list[tuple[str, str]]]:
    """Names of ids (people, merchants, stores), the people and the merchants to filter by."""
    services = alliance_services(request)
    names: dict[str, str] = {}
    people: list[tuple[str, str]] = []
    merchants: list[tuple[str, str]] = []
    try:  # an operator whose role may not list some of these still reads the log, with ids
        names[actor.alliance_id] = services.alliances.get(actor).name
        for op in services.alliances.list_operators(actor):
            names[op.id] = op.display_name or op.login
            people.append((op.id, names[op.id]))
        merchants = [(m.id, m.name) for m in services.merchants.list(actor)]
        for merchant_id, merchant_name in merchants:
            names[merchant_id] = merchant_name
            for store in services.stores.list(actor, merchant_id):
                names[store.id] = store.name
            for person in services.staff.list(actor, merchant_id):
                names[person.id] = f"{person.display_name or person.login} · {merchant_name}"
                people.append((person.id, names[person.id]))
        for campaign in container(request).loyalty.list_campaigns(alliance_id=actor.alliance_id):
            names[campaign.campaign_id] = campaign.name
    except GuildCardError:
        pass
    return names, sorted(people, key=lambda p: p[1]), merchants


@router.get("/ops/audit", response_class=HTMLResponse)
def audit(request: Request) -> Response:
    """The alliance's audit log in words, filterable by person, merchant, action and time."""
    actor = operator(request)
    query = request.query_params
    filters = {
        name: query.get(name, "").strip()
        for name in ("object_type", "object_id", "actor_id", "merchant_id", "action", "since", "until")
    }
    error, entries = "", []
    try:
        since, until = _day(filters["since"]), _day(filters["until"])
        where = AuditFilter(
            merchant_id=filters["merchant_id"] or None,
            object_type=filters["object_type"] or None,
            object_id=filters["object_id"] or None,
            actor_id=filters["actor_id"] or None,
            action=filters["action"] or None,
            since=start_of_business_day(since) if since else None,
            until=start_of_business_day(until + timedelta(days=1)) if until else None,  # the day counts
            before_id=query.get("before") or None,
            limit=AUDIT_PAGE + 1,
        )
        entries = alliance_services(request).audit.alliance_log(actor, where)
    except GuildCardError as exc:
        error = error_text(request, exc)
    more = len(entries) > AUDIT_PAGE
    entries = entries[:AUDIT_PAGE]
    kept = {k: v for k, v in filters.items() if v}
    names, people, merchants = _names(request, actor)
    language = language_of(request)
    return render(
        request,
        "ops/audit.html",
        actor=actor,
        active="/ops/audit",
        lines=[readable(e, names, language) for e in entries],
        people=people,
        merchants=merchants,
        actions=sorted((code, action_label(code, language)) for code in ACTIONS),
        filters=filters,
        kept=kept,
        older=entries[-1].id if more and entries else None,
        paged=bool(query.get("before")),
        error=error,
        status_code=422 if error else 200,
    )
