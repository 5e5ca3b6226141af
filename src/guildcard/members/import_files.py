"""Reading an import file (CSV or XLSX) into a header and rows of cells; nothing else."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from guildcard.members.errors import ImportFileUnreadable


@dataclass
class Table:
    header: list[str]
    rows: list[list[object]]


def read_table(data: bytes, filename: str) -> Table:
    """CSV (UTF-8, with or without BOM, or GB18030 as Excel in China writes it) or XLSX (first sheet)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
        if not rows:
            raise ImportFileUnreadable("the file has no header row")
        return Table([h.strip() for h in rows[0]], [list[object](r) for r in rows[1:]])
    raise ImportFileUnreadable("the CSV file is neither UTF-8 nor GB18030")


def read_path(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileUnreadable(f"cannot read {path}: {exc.strerror}") from exc
    return read_table(data, path.name)


def _xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # noqa: PLC0415 - only XLSX imports need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileUnreadable("the XLSX file cannot be opened") from exc
    sheet = book.worksheets[0]
    rows: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
    found = [list(r) for r in rows if any(c not in (None, "") for c in r)]
    book.close()
    if not found:
        raise ImportFileUnreadable("the sheet has no header row")
    return Table([str(h or "").strip() for h in found[0]], found[1:])
