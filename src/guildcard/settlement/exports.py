"""Statements as CSV and Excel: the same figures and lines as the API, money in fen and in yuan."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from guildcard.kernel.money import format_fen
from guildcard.settlement.domain.statement import FIGURE_NAMES
from guildcard.settlement.service import Statement

HEADER = [
    "period",
    "merchant_id",
    "merchant_name",
    "status",
    *FIGURE_NAMES,
    "checkpoint_seq",
    "checkpoint_root",
]
LINE_HEADER = [
    "merchant_id",
    "component",
    "kind",
    "terms_version",
    "corrects",
    "quantity",
    "unit_price",
    "amount_fen",
    "amount",
    "in_net",
]


def statement_rows(statements: Sequence[Statement]) -> list[list[Any]]:
    return [
        [
            s.period_key,
            s.merchant_id,
            s.merchant_name,
            s.status,
            *(getattr(s.figures, name) for name in FIGURE_NAMES),
            s.checkpoint_seq or "",
            s.checkpoint_root or "",
        ]
        for s in statements
    ]


def line_rows(statements: Sequence[Statement]) -> list[list[Any]]:
    return [
        [
            s.merchant_id,
            ln.component.value,
            ln.kind,
            ln.terms_version,
            ln.corrects or "",
            ln.quantity,
            str(ln.unit_price),
            ln.amount,
            format_fen(ln.amount),
            "yes" if ln.in_net else "no",
        ]
        for s in statements
        for ln in s.lines
    ]


def to_csv(statements: Sequence[Statement]) -> str:
    """Two tables in one file: the statements (figures in fen), a blank row, then every line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(statement_rows(statements))
    writer.writerow([])
    writer.writerow(LINE_HEADER)
    writer.writerows(line_rows(statements))
    return out.getvalue()


def to_xlsx(statements: Sequence[Statement]) -> bytes:
    """A workbook with a ``statements`` sheet and a ``lines`` sheet (amounts as integer fen)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "statements"
    sheet.append(HEADER)
    for row in statement_rows(statements):
        sheet.append(row)
    lines = book.create_sheet("lines")
    lines.append(LINE_HEADER)
    for row in line_rows(statements):
        lines.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
