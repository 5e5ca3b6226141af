"""The merchant owner's pages (``/merchant``): dashboard, statements with drill-down, backfill approvals.

Owners and managers read; what a manager may not change the services refuse. Stores, staff, POS keys
and earn rules: ``merchant_admin.py``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.counter import queries
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import business_date, start_of_business_day
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.money import format_fen
from guildcard.ledger import chart
from guildcard.ledger.queries import LedgerQueries
from guildcard.members.counter_lookup import CounterLookup
from guildcard.settlement.domain.periods import month
from guildcard.settlement.domain.statement import FIGURE_NAMES, Component
from guildcard.settlement.wiring import settlement_service
from guildcard.web.forms import error_field, keep_typed
from guildcard.web.pages import language_of, render_page
from guildcard.web.queries.statement_refs import DrillRow, drill_rows
from guildcard.web.routes.staff_auth import alliance_services, message_of, require_staff
from guildcard.web.session import check_csrf, container_of
from guildcard.web.statement_view import line_text, quantity_header

router = APIRouter(include_in_schema=False)
MERCHANT_ROLES = ("owner", "manager")


def merchant_of(actor: Actor) -> str:
    assert actor.merchant_id is not None, "staff always belong to a merchant"
    return actor.merchant_id


def merchant_name(request: Request, actor: Actor) -> str:
    return alliance_services(request).merchants.get(actor, merchant_of(actor)).name


@router.get("/merchant", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    actor = require_staff(request, *MERCHANT_ROLES)
    container, merchant_id = container_of(request), merchant_of(actor)
    now = container.clock.now()
    today = business_date(now)
    tomorrow = start_of_business_day(today + timedelta(days=1))
    this_month = month(today.year, today.month)
    with container.database.read() as conn:
        day = queries.sales_summary(
            conn, actor.alliance_id, merchant_id, start_of_business_day(today), tomorrow
        )
        mon = queries.sales_summary(conn, actor.alliance_id, merchant_id, this_month.starts_at, tomorrow)
        daily = queries.daily_sales(conn, actor.alliance_id, merchant_id, last_day=today, days=30)
        ledger = LedgerQueries(conn, alliance_id=actor.alliance_id)
        issued = -ledger.account_balance(chart.merchant_issued(merchant_id))
        redeemed = ledger.account_balance(chart.merchant_redeemed(merchant_id))
        pending = len(queries.pending_backfills(conn, actor.alliance_id, merchant_id))
    series = [(d.strftime("%m-%d"), amount) for d, amount in daily]
    refunds_waiting = len(container.counter.refund_requests(actor, merchant_id=merchant_id))
    return render_page(
        request, "merchant/dashboard.html", actor=actor, merchant_name=merchant_name(request, actor),
        today=day, month=mon, issued=issued, redeemed=redeemed, series=series, pending=pending,
        refunds_waiting=refunds_waiting,
        month_key=this_month.key, yuan=format_fen,
    )  # fmt: skip


@router.get("/merchant/statements", response_class=HTMLResponse)
def statements(request: Request, period: str = "") -> HTMLResponse:
    actor = require_staff(request, *MERCHANT_ROLES)
    container = container_of(request)
    if not period:
        today = business_date(container.clock.now())
        period = f"{today.year:04d}-{today.month:02d}"
    statement, error = None, None
    try:
        statement = settlement_service(container).statement(actor, period, merchant_of(actor))
    except GuildCardError as failure:
        error = message_of(request, failure)
    language = language_of(request)
    texts = [line_text(ln, language) for ln in statement.lines] if statement else []
    return render_page(
        request, "merchant/statements.html", actor=actor, period=period, s=statement, error=error,
        figure_names=FIGURE_NAMES, money_figures=_MONEY_FIGURES, line_texts=texts,
    )  # fmt: skip


_MONEY_FIGURES = {
    "member_sales", "issue_value", "reimbursement", "grant_funded", "commission", "redemption_fees",
    "entry_fees", "breakage_share", "direct", "net",
}  # fmt: skip


@router.get("/merchant/statements/{period}/{component}", response_class=HTMLResponse)
def drill_down(request: Request, period: str, component: str) -> HTMLResponse:
    actor = require_staff(request, *MERCHANT_ROLES)
    rows: list[DrillRow] = []
    error, header, language = None, "", language_of(request)
    container = container_of(request)
    try:
        wanted = Component(component)
        items = settlement_service(container).drill_down(actor, period, merchant_of(actor), wanted)
        with container.database.read() as conn:
            rows = drill_rows(conn, actor.alliance_id, wanted, items, language)
        header = quantity_header(wanted, language)
    except ValueError:
        error = "No such statement line."
    except GuildCardError as failure:
        error = message_of(request, failure)
    return render_page(
        request, "merchant/drill_down.html", actor=actor, period=period, component=component, rows=rows,
        quantity_header=header, error=error,
    )  # fmt: skip


def _backfills_page(
    request: Request, actor: Actor, *, status_code: int = 200, notice: str | None = None, error: str = ""
) -> HTMLResponse:
    """The pending backfills with who asked and for whom (the member as this merchant may see them:
    name and masked phone only with their consent)."""
    container = container_of(request)
    lookup = CounterLookup(container.cipher, container.lookup)
    with container.database.read() as conn:
        pending = queries.pending_backfills(conn, actor.alliance_id, merchant_of(actor))
        members = {
            b.member_id: lookup.view_of(
                conn, lookup.member(conn, actor.alliance_id, b.member_id), merchant_of(actor)
            )
            for b in pending
        }
    cashiers = {
        s.id: s.display_name for s in alliance_services(request).staff.list(actor, merchant_of(actor))
    }
    return render_page(
        request, "merchant/backfills.html", status_code=status_code, actor=actor, pending=pending,
        members=members, cashiers=cashiers, store_names=_store_names(request, actor), error=error,
        notice={"approved": "Approved: the purchase is recorded.", "rejected": "Rejected."}.get(notice or ""),
    )  # fmt: skip


@router.get("/merchant/backfills", response_class=HTMLResponse)
def backfills(request: Request, notice: str | None = None) -> HTMLResponse:
    return _backfills_page(request, require_staff(request, *MERCHANT_ROLES), notice=notice)


def _store_names(request: Request, actor: Actor) -> dict[str, str]:
    return {s.id: s.name for s in alliance_services(request).stores.list(actor, merchant_of(actor))}


@router.post("/merchant/backfills/{backfill_id}/{decision}", response_model=None)
def decide(
    request: Request,
    backfill_id: str,
    decision: str,
    csrf_token: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    actor = require_staff(request, *MERCHANT_ROLES)
    check_csrf(request, csrf_token)
    if decision not in {"approve", "reject"}:  # never read an unknown decision as a rejection
        return _backfills_page(request, actor, status_code=404, error="No such decision.")
    try:
        container_of(request).counter.decide_backfill(
            actor, backfill_id, approve=decision == "approve", note=note.strip() or None
        )
    except GuildCardError as failure:
        message = message_of(request, failure)
        page = _backfills_page(request, actor, status_code=422, error=message)
        return keep_typed(
            page, action=request.url.path, values={"note": note}, field=error_field(failure), message=message
        )
    outcome = "approved" if decision == "approve" else "rejected"
    return RedirectResponse(f"/merchant/backfills?notice={outcome}", status_code=303)
