"""Every table of the 会员分析 pages, built once: the pages draw them, the exports write them.

A ``Table`` is a title, headers and rows of plain values; charts are drawn from the same rows,
so what a chart shows is always the table behind it. ``merchant_report`` keeps other merchants
to aggregates: a source merchant is named only when it brought at least ``MIN_GROUP`` members.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import Workbook

from guildcard.insights.access import MIN_GROUP
from guildcard.insights.domain.definitions import DEFINITIONS
from guildcard.insights.domain.metrics import MetricSet
from guildcard.insights.domain.rfm import SEGMENT_NAMES, Segment
from guildcard.insights.domain.windows import Window
from guildcard.insights.queries.scope import Scope, ScopeKind, merchant_names, trade_names
from guildcard.insights.service import InsightsService
from guildcard.kernel.actors import Actor

TREND_MONTHS = 6
TREND_KEYS = (
    "activation_rate",
    "churn_rate",
    "repurchase_rate",
    "member_sales_share",
    "conversion_rate",
    "average_order_value_fen",
)


@dataclass
class Table:
    key: str
    title_zh: str
    title_en: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Report:
    period: str
    metrics: MetricSet
    trend: list[MetricSet]
    tables: dict[str, Table]
    value_cells: dict[str, int] = field(default_factory=dict)
    rfm_cells: dict[tuple[int, int], int] = field(default_factory=dict)
    cohort_offsets: int = 0


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _metrics_table(m: MetricSet) -> Table:
    values = vars(m)
    rows = [[d.key, d.zh_name, d.en_name, values.get(d.key), d.zh, d.en] for d in DEFINITIONS]
    return Table(
        "metrics",
        "会员指标",
        "Member metrics",
        ["key", "指标", "metric", "value", "定义", "definition"],
        rows,
    )


def _trend_table(trend: list[MetricSet]) -> Table:
    rows = [[m.period, *[getattr(m, k) for k in TREND_KEYS]] for m in trend]
    return Table("trend", "指标趋势", "Trends", ["period", *TREND_KEYS], rows)


def ops_report(service: InsightsService, actor: Actor, window: Window) -> Report:
    trend = service.series(actor, window, count=TREND_MONTHS)
    tables = {t.key: t for t in (_metrics_table(trend[-1]), _trend_table(trend))}
    with service.database.read() as conn:
        names = merchant_names(conn, actor.alliance_id)
        trades = trade_names(conn, actor.alliance_id)
    cohorts = service.cohorts(
        actor, last_day=date.fromordinal(window.end.toordinal() - 1), months=TREND_MONTHS
    )
    offsets = max((len(c.retention) for c in cohorts.by_registration), default=0)
    tables["cohorts"] = Table(
        "cohorts",
        "注册月份留存",
        "Retention by registration month",
        ["cohort", "members", *[f"M+{k}" for k in range(offsets)]],
        [[c.key, c.size, *[_pct(r) for r in c.retention]] for c in cohorts.by_registration],
    )
    tables["first_merchant"] = Table(
        "first_merchant",
        "首购商家留存",
        "Retention by first merchant",
        ["merchant", "members", *[f"M+{k}" for k in range(offsets)]],
        [
            [names.get(c.key, ("?", ""))[0], c.size, *[_pct(r) for r in c.retention]]
            for c in cohorts.by_first_merchant
        ],
    )
    pop = service.summary(actor, as_of=window.end)
    steps = {
        "acquired": "首次消费（获客）",
        "activated": "两天以上消费（激活）",
        "retained": "近 30 天仍活跃（留存）",
        "cross_trade": "跨两个以上业态（推荐/引流）",
        "high_value": "累计消费 ¥1,000 以上（收入）",
    }
    tables["funnel"] = Table(
        "funnel",
        "会员漏斗（AARRR）",
        "Member funnel (AARRR)",
        ["step", "步骤", "members"],
        [[step, zh, pop.funnel[step]] for step, zh in steps.items()],
    )
    counts = pop.segments
    tables["rfm"] = Table(
        "rfm",
        "RFM 客户分类",
        "RFM segments",
        ["segment", "客户类型", "type", "members", "建议"],
        [
            [s.value, SEGMENT_NAMES[s][0], SEGMENT_NAMES[s][1], counts[s], SEGMENT_NAMES[s][2]]
            for s in Segment
        ],
    )
    value_cells = pop.value_cells
    tables["value_grid"] = Table(
        "value_grid",
        "会员价值九宫格",
        "Value grid",
        ["cell", "value level", "activity level", "stars", "members"],
        [
            [k, int(k[0]), int(k[2]), 3 * (int(k[0]) - 1) + int(k[2]), n]
            for k, n in sorted(value_cells.items())
        ],
    )
    flows = service.flows(actor, window)
    tables["flows"] = Table(
        "flows",
        "会员引流（商家之间）",
        "Who brings whom (merchants)",
        ["from", "to", "members", "orders", "sales_fen", "points"],
        [
            [
                names.get(f.source, ("?", ""))[0],
                names.get(f.target, ("?", ""))[0],
                f.members,
                f.orders,
                f.sales_fen,
                f.points,
            ]
            for f in flows.merchants
        ],
    )
    tables["trade_flows"] = Table(
        "trade_flows",
        "会员引流（业态之间）",
        "Who brings whom (trades)",
        ["from", "to", "members", "orders", "sales_fen", "points"],
        [
            [
                trades.get(f.source, f.source),
                trades.get(f.target, f.target),
                f.members,
                f.orders,
                f.sales_fen,
                f.points,
            ]
            for f in flows.trades
        ],
    )
    tables["new_from_alliance"] = Table(
        "new_from_alliance",
        "联盟带来的新客",
        "New customers from the alliance",
        ["merchant", "members"],
        sorted(
            ([names.get(m, ("?", ""))[0], n] for m, n in flows.new_from_alliance.items()), key=lambda r: -r[1]
        ),
    )
    tables["recommendations"] = Table(
        "recommendations",
        "推荐依据（共同到店）",
        "Recommendation basis (co-visitation)",
        ["from", "to", "share", "customers", "reason"],
        [[a, b, share, n, f"常去{a}的会员也常去{b}"] for a, b, share, n in service.top_pairs(actor)],
    )
    tables["segments"] = Table(
        "segments",
        "会员分群",
        "Segments",
        ["segment_id", "name", "members", "definition"],
        [
            [s.segment.segment_id, s.segment.name, s.members, s.segment.definition]
            for s in service.segments(actor)
        ],
    )
    return Report(window.key, trend[-1], trend, tables, value_cells, pop.rfm_grid, offsets)


def merchant_report(service: InsightsService, actor: Actor, merchant_id: str, window: Window) -> Report:
    """A merchant's own figures and where its new customers came from (others only in groups >= 5)."""
    scope = Scope(ScopeKind.MERCHANT, merchant_id)
    trend = service.series(actor, window, count=TREND_MONTHS, scope=scope)
    tables = {t.key: t for t in (_metrics_table(trend[-1]), _trend_table(trend))}
    with service.database.read() as conn:
        names = merchant_names(conn, actor.alliance_id)
    flows = service.merchant_flows(actor, merchant_id, window)
    into = [f for f in flows.merchants if f.target == merchant_id]
    named = [f for f in into if f.members >= MIN_GROUP]
    others = [f for f in into if f.members < MIN_GROUP]
    rows = [[names.get(f.source, ("?", ""))[0], f.members, f.orders, f.sales_fen] for f in named]
    if others and sum(f.members for f in others) >= MIN_GROUP:
        rows.append(
            [
                "其他商家（合计）",
                *[sum(getattr(f, k) for f in others) for k in ("members", "orders", "sales_fen")],
            ]
        )
    tables["sources"] = Table(
        "sources",
        "新客来源（联盟其他商家）",
        "Where new customers came from",
        ["from", "members", "orders", "sales_fen"],
        rows,
    )
    out = sum(f.members for f in flows.merchants if f.source == merchant_id)
    tables["brought"] = Table(
        "brought",
        "我带给联盟的会员",
        "Members I brought to the alliance",
        ["to", "members"],
        [["联盟其他商家（合计）", out]] if out >= MIN_GROUP else [],
    )
    likely = service.likely_members(actor, merchant_id)
    tables["likely"] = Table(
        "likely",
        "可能到店的联盟会员（可定向发券）",
        "Alliance members likely to come (for a targeted coupon)",
        ["consented to sharing", "without consent (count only)"],
        [[len(likely.members), likely.without_consent]],
    )
    pop = service.summary(actor, as_of=window.end, merchant_id=merchant_id)
    counts = pop.segments
    tables["rfm"] = Table(
        "rfm",
        "我的会员 RFM 分类",
        "My members' RFM segments",
        ["segment", "客户类型", "type", "members", "建议"],
        [
            [s.value, SEGMENT_NAMES[s][0], SEGMENT_NAMES[s][1], counts[s], SEGMENT_NAMES[s][2]]
            for s in Segment
        ],
    )
    return Report(window.key, trend[-1], trend, tables, pop.value_cells, pop.rfm_grid)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows([[_cell(v) for v in row] for row in table.rows])
    return "\ufeff" + out.getvalue()  # a BOM: Excel opens the Chinese right


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.key[:31]
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return str(value)
    return value
