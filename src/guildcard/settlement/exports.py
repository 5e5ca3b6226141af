"""Statements as CSV and Excel that open as they should in Chinese Excel: the page's figures.

- Headers in Chinese by default (``lang="en"``: the API's field names).
- Money in **yuan** as numbers (CSV ``121.60``; XLSX numeric cells with a ``¥#,##0.00`` format),
  points and counts as whole numbers, the closing time as a date-time (Asia/Shanghai).
- CSV starts with a UTF-8 byte-order mark, so Excel on Chinese Windows reads it as UTF-8.

Two tables: the statements (one row per merchant) and their lines. The CSV holds both, one
after the other with a blank row between; the workbook has one sheet each (``statements`` and
``lines``: sheet names stay ASCII so scripts find them in either language).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from guildcard.kernel.clock import BUSINESS_TZ
from guildcard.settlement.domain import direct
from guildcard.settlement.domain.statement import Component, Line
from guildcard.settlement.service import Statement

BOM = "\ufeff"
YUAN_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00'
RATE_FORMAT = "0.00%"
PRICE_FORMAT = '"¥"#,##0.0000'
DATE_FORMAT = "yyyy-mm-dd hh:mm"
WHOLE_FORMAT = "#,##0"

# Kinds of cells: text, whole (points, counts), yuan (fen shown as yuan), price (yuan, up to four
# decimals), rate (a fraction shown as a percentage), date (a moment, in Shanghai time).


Cell = tuple[Any, str]  # (value as XLSX stores it, kind: how it is written and formatted)


@dataclass(frozen=True)
class Column:
    key: str  # the English header (the API's name)
    zh: str
    cell: Callable[[Any, bool], Cell]  # (row, English?) -> cell


def _pick(pair: tuple[str, str], en: bool) -> Cell:
    return (pair[1] if en else pair[0]), "text"


def _text(get: Callable[[Any], Any]) -> Callable[[Any, bool], Cell]:
    return lambda row, _en: ("" if get(row) is None else get(row), "text")


def _whole(get: Callable[[Any], Any]) -> Callable[[Any, bool], Cell]:
    return lambda row, _en: (get(row), "whole")


def _yuan(get: Callable[[Any], int]) -> Callable[[Any, bool], Cell]:
    return lambda row, _en: (Decimal(get(row)) / 100, "yuan")


def _moment(moment: datetime | None) -> Cell:
    return (moment.astimezone(BUSINESS_TZ).replace(tzinfo=None) if moment else None), "date"


_FIGURES = [
    ("points_issued", "发放积分", False),
    ("points_redeemed", "兑付积分", False),
    ("redemptions", "兑付笔数", False),
    ("member_sales", "会员消费额（元）", True),
    ("issue_value", "发放积分应付（元）", True),
    ("reimbursement", "兑付积分应收（元）", True),
    ("grant_funded", "平台赠分兑付（元）", True),
    ("commission", "佣金（元）", True),
    ("redemption_fees", "兑付手续费（元）", True),
    ("entry_fees", "入驻费（元）", True),
    ("breakage_points", "过期积分", False),
    ("breakage_share", "过期积分分成（元）", True),
    ("direct", "代收代付（元）", True),
    ("net", "净额（元）", True),
]


def _figure(name: str, money: bool) -> Callable[[Any, bool], Cell]:
    def get(s: Statement) -> int:
        return int(getattr(s.figures, name))

    return _yuan(get) if money else _whole(get)


_STATUS = {"closed": ("已结算", "closed"), "open": ("预览（尚未结算）", "open")}

STATEMENT_COLUMNS = [
    Column("period", "结算期", _text(lambda s: s.period_key)),
    Column("merchant_id", "商户编号", _text(lambda s: s.merchant_id)),
    Column("merchant_name", "商户名称", _text(lambda s: s.merchant_name)),
    Column("status", "状态", lambda s, en: _pick(_STATUS.get(s.status, (s.status, s.status)), en)),
    *(Column(name, zh, _figure(name, money)) for name, zh, money in _FIGURES),
    Column("closed_at", "结算时间", lambda s, _en: _moment(s.closed_at)),
    Column("checkpoint_seq", "账本检查点", _whole(lambda s: s.checkpoint_seq)),
    Column("checkpoint_root", "检查点根哈希", _text(lambda s: s.checkpoint_root)),
]

_COMPONENTS = {
    Component.ISSUE: ("积分发放", "issue"),
    Component.REIMBURSEMENT: ("积分兑付", "reimbursement"),
    Component.GRANT_FUNDED: ("平台赠分兑付", "grant_funded"),
    Component.COMMISSION: ("佣金", "commission"),
    Component.REDEMPTION_FEE: ("兑付手续费", "redemption_fee"),
    Component.ENTRY_FEE: ("入驻费", "entry_fee"),
    Component.BREAKAGE: ("过期积分", "breakage"),
    Component.DIRECT: ("代收代付", "direct"),
}
_POINTS = (Component.ISSUE, Component.REIMBURSEMENT, Component.GRANT_FUNDED, Component.BREAKAGE)


def _component(line: Line, en: bool) -> Cell:
    if line.component is Component.DIRECT:
        return direct.label(line.kind, "en" if en else "zh"), "text"
    return _pick(_COMPONENTS[line.component], en)


def _unit(line: Line, en: bool) -> Cell:
    if line.component in _POINTS:
        return _pick(("积分", "points"), en)
    if line.component is Component.COMMISSION:
        return _pick(("元", "yuan"), en)
    if line.component is Component.REDEMPTION_FEE:
        return _pick(("次", "times"), en)
    return _pick(("项", "items"), en)


def _quantity(line: Line, _en: bool) -> Cell:
    """The line's quantity as a person counts it: member sales (fen) in yuan."""
    if line.component is Component.COMMISSION:
        return Decimal(line.quantity) / 100, "yuan"
    return line.quantity, "whole"


def _price(line: Line, _en: bool) -> Cell:
    if line.component is Component.COMMISSION:
        return line.unit_price, "rate"
    if line.component is Component.DIRECT:
        return None, "text"
    return line.unit_price / 100, "price"


@dataclass(frozen=True)
class _LineRow:
    statement: Statement
    line: Line


LINE_COLUMNS = [
    Column("merchant_id", "商户编号", _text(lambda r: r.statement.merchant_id)),
    Column("merchant_name", "商户名称", _text(lambda r: r.statement.merchant_name)),
    Column("component", "项目", lambda r, en: _component(r.line, en)),
    Column("terms_version", "合同版本", _text(lambda r: r.line.terms_version)),
    Column("corrects", "更正期间", _text(lambda r: r.line.corrects or "")),
    Column("quantity", "数量", lambda r, en: _quantity(r.line, en)),
    Column("unit", "单位", lambda r, en: _unit(r.line, en)),
    Column("unit_price", "单价", lambda r, en: _price(r.line, en)),
    Column("amount", "金额（元）", _yuan(lambda r: r.line.amount)),
    Column("in_net", "计入净额", lambda r, en: _pick(("是", "yes") if r.line.in_net else ("否", "no"), en)),
]


def _en(lang: str) -> bool:
    return lang.lower().startswith("en")


def _csv_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "yuan":
        return f"{value:.2f}"
    if kind == "price":  # at least two decimals, at most four: 0.008, 0.10, 1000.00
        whole, _, decimals = f"{value:.4f}".rstrip("0").partition(".")
        return f"{whole}.{decimals.ljust(2, '0')}"
    if kind == "rate":
        return f"{value * 100:.2f}%"
    if kind == "date":
        return str(value.strftime("%Y-%m-%d %H:%M"))
    return str(value)


_XLSX_FORMATS = {
    "yuan": YUAN_FORMAT,
    "whole": WHOLE_FORMAT,
    "price": PRICE_FORMAT,
    "rate": RATE_FORMAT,
    "date": DATE_FORMAT,
}


def _headers(columns: Sequence[Column], lang: str) -> list[str]:
    return [c.key if _en(lang) else c.zh for c in columns]


def _line_rows(statements: Sequence[Statement]) -> list[_LineRow]:
    return [_LineRow(s, ln) for s in statements for ln in s.lines]


def _table(columns: Sequence[Column], rows: Sequence[Any], lang: str) -> list[list[Cell]]:
    return [[c.cell(row, _en(lang)) for c in columns] for row in rows]


def to_csv(statements: Sequence[Statement], lang: str = "zh") -> str:
    """The statements, a blank row, then every line; with a UTF-8 BOM, money in yuan."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(_headers(STATEMENT_COLUMNS, lang))
    for cells in _table(STATEMENT_COLUMNS, statements, lang):
        writer.writerow([_csv_text(v, k) for v, k in cells])
    writer.writerow([])
    writer.writerow(_headers(LINE_COLUMNS, lang))
    for cells in _table(LINE_COLUMNS, _line_rows(statements), lang):
        writer.writerow([_csv_text(v, k) for v, k in cells])
    return out.getvalue()


def _fill(sheet: Worksheet, columns: Sequence[Column], rows: Sequence[Any], lang: str) -> None:
    sheet.append(_headers(columns, lang))
    for n, cells in enumerate(_table(columns, rows, lang), start=2):
        sheet.append([v for v, _ in cells])
        for m, (value, kind) in enumerate(cells, start=1):
            if value is not None and kind in _XLSX_FORMATS:
                sheet.cell(row=n, column=m).number_format = _XLSX_FORMATS[kind]
    for m, header in enumerate(_headers(columns, lang), start=1):
        letter = sheet.cell(row=1, column=m).column_letter
        sheet.column_dimensions[letter].width = max(10, min(40, len(header) * 2 + 2))
    sheet.freeze_panes = "A2"


def to_xlsx(statements: Sequence[Statement], lang: str = "zh") -> bytes:
    """A workbook with a ``statements`` and a ``lines`` sheet: numbers as numbers, dates as dates."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "statements"
    _fill(sheet, STATEMENT_COLUMNS, statements, lang)
    _fill(book.create_sheet("lines"), LINE_COLUMNS, _line_rows(statements), lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def yuan(value: int) -> Decimal:
    """Fen as the yuan an export shows (for callers that compare a page with an export)."""
    return Decimal(value) / 100


__all__ = ["BOM", "to_csv", "to_xlsx", "yuan"]
