"""会员分析 (operators, ``/ops/insights``) and 我的会员 (a merchant's owners, ``/merchant/insights``).

Both pages draw the tables of ``guildcard.insights.report`` as SVG charts with the table behind
each, and export every table as CSV or XLSX. The rollups are refreshed before the page is drawn
(only the days new sales touched).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guildcard.insights.domain.definitions import BY_KEY
from guildcard.insights.domain.errors import BadPeriod
from guildcard.insights.domain.windows import Grain, Window, custom_range, parse_period, window_of
from guildcard.insights.report import TREND_KEYS, Report, Table, merchant_report, ops_report, to_csv, to_xlsx
from guildcard.kernel.actors import Actor, system_actor
from guildcard.kernel.clock import business_date
from guildcard.kernel.errors import NotFound
from guildcard.kernel.money import format_fen
from guildcard.web.chart_axes import nice_ticks, unit_of
from guildcard.web.pages import language_of, render_page
from guildcard.web.routes.merchant import MERCHANT_ROLES, merchant_name, merchant_of
from guildcard.web.routes.ops_support import operator, render
from guildcard.web.routes.staff_auth import require_staff
from guildcard.web.session import check_csrf, container_of

FormStr = Annotated[str, Form()]
_CELL = re.compile(r"^[1-3]-[1-3]$")

router = APIRouter(include_in_schema=False)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key.endswith("_fen"):
        return format_fen(int(value))
    if isinstance(value, float) and value.is_integer():  # an axis tick of a count
        value = int(value)
    if key.endswith("_rate") or key.endswith("_share"):
        return _pct(value)
    return str(value)


def _formats() -> dict[str, Callable[[Any], str]]:
    return {k: partial(_fmt, k) for k in TREND_KEYS}


def _window(request: Request, period: str) -> Window:
    if period:
        try:
            return parse_period(period)
        except BadPeriod:
            pass
    today = business_date(container_of(request).clock.now())
    return window_of(today.replace(day=1) - timedelta(days=1), Grain.MONTH)  # last full month


def period_label(period: str, *, zh: bool) -> str:
    """A trend point's short label: 11月 / W48 / Q4 / 10-01 (a custom range by its first day)."""
    if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
        return period[5:] + "月" if zh else period
    if "-W" in period or "-Q" in period:
        return period[5:]
    return period[5:10]


def period_choices(request: Request) -> list[tuple[str, str]]:
    """Quick links: the last full month, week and quarter, and the last 30 days."""
    today = business_date(container_of(request).clock.now())
    return [
        ("Last month", window_of(today, Grain.MONTH).previous().key),
        ("Last week", window_of(today, Grain.WEEK).previous().key),
        ("Last quarter", window_of(today, Grain.QUARTER).previous().key),
        ("Last 30 days", custom_range(today - timedelta(days=30), today - timedelta(days=1)).key),
    ]


def _context(request: Request, report: Report, export_base: str) -> dict[str, Any]:
    zh = language_of(request) == "zh-CN"
    names = {k: (BY_KEY[k].zh_name if zh else BY_KEY[k].en_name) for k in TREND_KEYS}
    points = {k: [(period_label(m.period, zh=zh), getattr(m, k)) for m in report.trend] for k in TREND_KEYS}
    funnel = report.tables.get("funnel")
    return {
        "report": report, "fmt": _fmt, "trend_keys": TREND_KEYS, "trend_points": points, "names": names,
        "formats": _formats(), "export_base": export_base, "period_choices": period_choices(request),
        "trend_ticks": {k: nice_ticks(v for _, v in points[k]) for k in TREND_KEYS},
        "trend_units": {k: unit_of(k) for k in TREND_KEYS},
        "funnel_series": [(row[1] if zh else row[0], row[2]) for row in funnel.rows] if funnel else [],
    }  # fmt: skip


def _refresh(request: Request, actor: Actor) -> None:
    container_of(request).insights.refresh(system_actor(actor.alliance_id, "insights-page"))


@router.get("/ops/insights", response_class=HTMLResponse)
def ops_insights(request: Request, period: str = "", targeted: str = "") -> Response:
    actor = operator(request)
    _refresh(request, actor)
    window = _window(request, period)
    report = ops_report(container_of(request).insights, actor, window)
    ctx = _context(request, report, "/ops/insights/export")
    ctx["targeted"] = _targeted(request, actor, targeted)
    return render(request, "ops/insights.html", actor=actor, active="/ops/insights", **ctx)


@router.post("/ops/insights/target-cell", response_model=None)
def ops_target_cell(
    request: Request, *, csrf_token: FormStr = "", cell: FormStr = "", period: FormStr = ""
) -> Response:
    """The value grid's "target this cell": a saved segment of the cell's members, live."""
    actor = operator(request)
    check_csrf(request, csrf_token)
    if not _CELL.match(cell):
        raise NotFound()
    value, activity = cell.split("-")
    name = f"九宫格 价值{value}·活跃{activity}"
    segment = container_of(request).insights.save_segment(
        actor, name=name, definition={"value_cells": [cell]}
    )
    target = f"/ops/insights?period={quote(period)}&targeted={quote(segment.segment_id)}#targeted"
    return RedirectResponse(target, status_code=303)


def _targeted(request: Request, actor: Actor, segment_id: str) -> Any:
    if not segment_id:
        return None
    counts = container_of(request).insights.segments(actor)
    return next((c for c in counts if c.segment.segment_id == segment_id), None)


@router.get("/ops/insights/export.csv")
def ops_csv(request: Request, period: str = "", table: str = "") -> Response:
    return ops_export(request, period, table, "csv")


@router.get("/ops/insights/export.xlsx")
def ops_xlsx(request: Request, period: str = "", table: str = "") -> Response:
    return ops_export(request, period, table, "xlsx")


def ops_export(request: Request, period: str, name: str, ext: str) -> Response:
    actor = operator(request)
    report = ops_report(container_of(request).insights, actor, _window(request, period))
    return _export(report.tables, name, ext, f"insights-{report.period}")


@router.get("/merchant/insights", response_class=HTMLResponse)
def merchant_insights(request: Request, period: str = "") -> Response:
    actor = require_staff(request, *MERCHANT_ROLES)
    _refresh(request, actor)
    window = _window(request, period)
    report = merchant_report(container_of(request).insights, actor, merchant_of(actor), window)
    ctx = _context(request, report, "/merchant/insights/export")
    return render_page(
        request, "merchant/insights.html", actor=actor, merchant_name=merchant_name(request, actor), **ctx
    )


@router.get("/merchant/insights/export.csv")
def merchant_csv(request: Request, period: str = "", table: str = "") -> Response:
    return merchant_export(request, period, table, "csv")


@router.get("/merchant/insights/export.xlsx")
def merchant_xlsx(request: Request, period: str = "", table: str = "") -> Response:
    return merchant_export(request, period, table, "xlsx")


def merchant_export(request: Request, period: str, name: str, ext: str) -> Response:
    actor = require_staff(request, *MERCHANT_ROLES)
    report = merchant_report(
        container_of(request).insights, actor, merchant_of(actor), _window(request, period)
    )
    return _export(report.tables, name, ext, f"my-members-{report.period}")


def _export(tables: dict[str, Table], name: str, ext: str, stem: str) -> Response:
    table = tables.get(name)
    if table is None or ext not in {"csv", "xlsx"}:
        raise NotFound()
    disposition = {"Content-Disposition": f'attachment; filename="{stem}-{name}.{ext}"'}
    if ext == "csv":
        return Response(to_csv(table), media_type="text/csv; charset=utf-8", headers=disposition)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(to_xlsx(table), media_type=xlsx, headers=disposition)
