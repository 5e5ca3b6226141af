"""Import a merchant's member file or purchase history: check every row, then commit in chunks.

Mode (documented in the README): **row by row with a report** by default — every good row is
imported, every bad row is listed by row number and field and nothing of it is written; with
``all_or_nothing`` a file with any bad row is refused whole before anything is written. Each
chunk of good rows is one transaction, and keys make the import resumable: running the same file
again after an interruption imports the rest and changes nothing already there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from guildcard.alliance import queries as alliance_queries
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import business_date
from guildcard.kernel.ids import new_id
from guildcard.members.domain.imports import (
    MEMBER_FIELDS,
    PURCHASE_FIELDS,
    REQUIRED_MEMBER_FIELDS,
    REQUIRED_PURCHASE_FIELDS,
    ImportRow,
    PurchaseRow,
    RowError,
    clean_member_row,
    clean_purchase_row,
    guess_columns,
    parse_columns,
    require_columns,
    resolve_header,
)
from guildcard.members.errors import (
    ImportFileTooLarge,
    ImportHasBadRows,
    ImportMerchantUnknown,
    ImportNotAllowed,
    ImportUploadNotFound,
)
from guildcard.members.handlers.imports import (
    ImportedChunk,
    ImportedPurchases,
    ImportMembers,
    ImportPurchases,
)
from guildcard.members.handlers.uploads import StageImportUpload
from guildcard.members.import_files import Table, read_table
from guildcard.members.services.base import MembersDeps
from guildcard.members.storage.imports import ImportRepository
from guildcard.members.storage.uploads import UploadRepository

CHUNK_ROWS = 2_000
PAGE_MAX_BYTES = 10 * 1024 * 1024  # the import page; larger files go through the command line
PAGE_MAX_ROWS = 50_000
Progress = Callable[[int], None]  # rows done so far


@dataclass
class ImportReport:
    batch_id: str
    rows: int = 0
    created: int = 0
    linked: int = 0
    unchanged: int = 0
    points: int = 0
    errors: list[RowError] = field(default_factory=list)
    linked_member_ids: list[str] = field(default_factory=list)
    unknown_member_rows: list[int] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors}) + len(self.unknown_member_rows)


@dataclass(frozen=True)
class Preview:
    header: list[str]
    columns: dict[str, int]  # field -> column index
    rows: list[list[str]]  # the first rows, as read
    errors: list[RowError]  # of those rows


@dataclass(frozen=True)
class StagedUpload:
    upload_id: str
    filename: str
    merchant_id: str
    table: Table
    batch_id: str | None  # set once this upload was imported


class ImportService:
    def __init__(self, deps: MembersDeps) -> None:
        self._deps = deps

    @staticmethod
    def read_upload(data: bytes, filename: str) -> Table:
        """An uploaded file (the page, the API) read into a table, refusing one too large for a request."""
        if len(data) > PAGE_MAX_BYTES:
            raise ImportFileTooLarge(limit_bytes=PAGE_MAX_BYTES)
        table = read_table(data, filename)
        if len(table.rows) > PAGE_MAX_ROWS:
            raise ImportFileTooLarge(rows=len(table.rows), limit_rows=PAGE_MAX_ROWS)
        return table

    def stage_upload(
        self, actor: Actor, *, alliance_id: str, merchant_id: str, filename: str, data: bytes
    ) -> StagedUpload:
        """Read an uploaded file (refusing what cannot be read) and keep it for the preview and the import."""
        table = self.read_upload(data, filename)
        command = StageImportUpload(
            alliance_id=alliance_id, merchant_id=merchant_id, filename=filename, content=data,
            rows=len(table.rows),
        )  # fmt: skip
        upload_id: str = self._deps.bus.execute(actor, command).value
        return StagedUpload(upload_id, filename, merchant_id, table, None)

    def staged(self, alliance_id: str, merchant_id: str, upload_id: str) -> StagedUpload:
        """The merchant's staged upload, read again; ImportUploadNotFound (also for another merchant's)."""
        with self._deps.database.read() as conn:
            row = UploadRepository(conn).get(alliance_id, upload_id)
        if row is None or row.merchant_id != merchant_id:
            raise ImportUploadNotFound()
        table = read_table(row.content, row.filename)
        return StagedUpload(upload_id, row.filename, merchant_id, table, row.batch_id)

    def batches(
        self, actor: Actor, alliance_id: str, merchant_id: str | None, *, limit: int = 20
    ) -> list[Any]:
        """The latest import runs of a merchant (or, for operators, of the whole alliance), newest
        first. Operators of the alliance and the merchant's owner only (ImportNotAllowed)."""
        owner = merchant_id is not None and actor.is_staff_of(merchant_id, "owner")
        if actor.alliance_id != alliance_id or not (actor.is_operator() or owner):
            raise ImportNotAllowed()
        with self._deps.database.read() as conn:
            return ImportRepository.batches_of(conn, alliance_id, merchant_id, limit=limit)

    def resolve_merchant(self, alliance_id: str, text: str) -> str:
        """A merchant of the alliance by id, credit code or name."""
        with self._deps.database.read() as conn:
            merchants = alliance_queries.list_merchants(conn, alliance_id)
        for m in merchants:
            if text in (m.id, m.credit_code, m.name):
                return m.id
        raise ImportMerchantUnknown(merchant=text)

    def preview(
        self,
        table: Table,
        columns: str | None = None,
        *,
        rows: int = 5,
        fields: dict[str, int] | None = None,
    ) -> Preview:
        """The first rows as read and their problems. ``fields`` (field -> column index, the page's
        mapping) replaces the guess from the header; a missing required field is not raised here
        (the page shows the preview and says which field to map)."""
        found = (
            fields
            if fields is not None
            else guess_columns(table.header, MEMBER_FIELDS, parse_columns(columns, MEMBER_FIELDS))
        )
        today = business_date(self._deps.clock.now())
        errors: list[RowError] = []
        for number, row in enumerate(table.rows[:rows], start=1):
            cleaned = clean_member_row(number, row, found, today=today)
            if isinstance(cleaned, list):
                errors += cleaned
        shown = [["" if c is None else str(c) for c in row] for row in table.rows[:rows]]
        return Preview(table.header, found, shown, errors)

    def import_members(
        self,
        actor: Actor,
        *,
        alliance_id: str,
        merchant_id: str,
        table: Table,
        source_name: str,
        basis: str,
        columns: str | None = None,
        all_or_nothing: bool = False,
        progress: Progress | None = None,
        upload_id: str | None = None,
        fields: dict[str, int] | None = None,
    ) -> ImportReport:
        if fields is not None:
            found = fields
            require_columns(found, REQUIRED_MEMBER_FIELDS)
        else:
            mapping = parse_columns(columns, MEMBER_FIELDS)
            found = resolve_header(table.header, mapping, MEMBER_FIELDS, REQUIRED_MEMBER_FIELDS)
        today: date = business_date(self._deps.clock.now())
        report = ImportReport(batch_id=new_id("imp"), rows=len(table.rows))
        good: list[ImportRow] = []
        for number, row in enumerate(table.rows, start=1):
            cleaned = clean_member_row(number, row, found, today=today)
            if isinstance(cleaned, list):
                report.errors += cleaned
            else:
                good.append(cleaned)
        if all_or_nothing and report.errors:
            raise ImportHasBadRows(rows=sorted({e.row for e in report.errors})[:50])
        bad_rows = sorted({e.row for e in report.errors})
        for start in range(0, max(len(good), 1), CHUNK_ROWS):
            chunk = tuple(good[start : start + CHUNK_ROWS])
            command = ImportMembers(
                alliance_id=alliance_id,
                merchant_id=merchant_id,
                batch_id=report.batch_id,
                source_name=source_name,
                basis=basis,
                rows=chunk,
                rejected=len(bad_rows) if start == 0 else 0,
                upload_id=upload_id if start == 0 else None,
            )
            done: ImportedChunk = self._deps.bus.execute(actor, command).value
            report.created += done.created
            report.linked += done.linked
            report.unchanged += done.unchanged
            report.points += done.points_awarded
            report.linked_member_ids += done.linked_member_ids
            if progress:
                progress(min(len(table.rows), start + len(chunk) + len(bad_rows)))
        return report

    def import_purchases(
        self,
        actor: Actor,
        *,
        alliance_id: str,
        merchant_id: str | None,
        table: Table,
        source_name: str,
        columns: str | None = None,
        award_points: bool = False,
        all_or_nothing: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        mapping = parse_columns(columns, PURCHASE_FIELDS)
        found = resolve_header(table.header, mapping, PURCHASE_FIELDS, REQUIRED_PURCHASE_FIELDS)
        report = ImportReport(batch_id=new_id("imp"), rows=len(table.rows))
        good: list[PurchaseRow] = []
        for number, row in enumerate(table.rows, start=1):
            cleaned = clean_purchase_row(number, row, found)
            if isinstance(cleaned, list):
                report.errors += cleaned
            else:
                good.append(cleaned)
        groups: dict[str, list[PurchaseRow]] = {}
        for r in good:  # without --merchant, each row's merchant column names it (id, credit code or name)
            if merchant_id is None and not r.merchant:
                report.errors.append(RowError(r.row, "merchant", "the merchant is missing"))
                continue
            groups.setdefault(merchant_id or str(r.merchant), []).append(r)
        resolved: dict[str, str] = {}
        for name in list(groups):
            try:
                resolved[name] = name if merchant_id else self.resolve_merchant(alliance_id, name)
            except ImportMerchantUnknown:
                report.errors += [
                    RowError(r.row, "merchant", "no such merchant in the alliance", name)
                    for r in groups.pop(name)
                ]
        if all_or_nothing and report.errors:
            raise ImportHasBadRows(rows=sorted({e.row for e in report.errors})[:50])
        for name, rows in groups.items() or [(merchant_id or "", [])]:
            target = resolved.get(name, name)
            self._purchase_chunks(
                actor, alliance_id, target, rows, report, source_name=source_name, award_points=award_points,
                progress=progress,
            )  # fmt: skip
        return report

    def _purchase_chunks(
        self,
        actor: Actor,
        alliance_id: str,
        merchant_id: str,
        good: list[PurchaseRow],
        report: ImportReport,
        *,
        source_name: str,
        award_points: bool,
        progress: Progress | None,
    ) -> None:
        if not merchant_id:
            return
        for start in range(0, max(len(good), 1), CHUNK_ROWS):
            chunk = tuple(good[start : start + CHUNK_ROWS])
            command = ImportPurchases(
                alliance_id=alliance_id,
                merchant_id=merchant_id,
                batch_id=report.batch_id,
                source_name=source_name,
                rows=chunk,
                award_points=award_points,
                rejected=len({e.row for e in report.errors}) if start == 0 else 0,
            )
            done: ImportedPurchases = self._deps.bus.execute(actor, command).value
            report.created += done.added
            report.unchanged += done.unchanged
            report.points += done.points_awarded
            report.unknown_member_rows += done.unknown_member_rows
            if progress:
                progress(min(report.rows, report.created + report.unchanged + report.rejected))


def describe_errors(errors: Sequence[RowError], limit: int = 20) -> list[str]:
    return [f"row {e.row}, {e.field}: {e.message}" for e in errors[:limit]]
