"""The merchant owner's member import (``/merchant/members/import``): upload a CSV or XLSX, check the
first rows and map the columns, attest the consent basis, import, read the report row by row.

The uploaded file is staged (``members.stage_import_upload``) so that the preview, a changed
mapping and the import read the same bytes; a re-import of the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError
from guildcard.members.domain.imports import (
    MEMBER_FIELDS,
    REQUIRED_MEMBER_FIELDS,
    RowError,
    chosen_columns,
)
from guildcard.members.errors import ImportBasisMissing
from guildcard.members.services.imports import PAGE_MAX_BYTES, ImportService, StagedUpload
from guildcard.web.i18n import translations
from guildcard.web.pages import language_of, render_page
from guildcard.web.routes.merchant import merchant_of
from guildcard.web.routes.staff_auth import message_of, require_staff
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]
IMPORTER_ROLES = ("owner",)  # the owner attests the consent basis; managers may not
PREVIEW_ROWS = 8

# Field -> its label (message ids, translated in people.po).
FIELD_LABELS = {
    "external_id": "Your member id",
    "name": "Member name",
    "phone": "Phone",
    "birthday": "Birthday",
    "gender": "Gender",
    "registered_at": "Registered on",
    "opening_points": "Opening points",
}


def _imports(request: Request) -> ImportService:
    return container_of(request).members.imports


def _start_page(request: Request, actor: Actor, *, error: str = "", status_code: int = 200) -> HTMLResponse:
    batches = _imports(request).batches(actor, actor.alliance_id, merchant_of(actor))
    return render_page(
        request, "merchant/imports.html", status_code=status_code, actor=actor, batches=batches,
        error=error, max_mb=PAGE_MAX_BYTES // (1024 * 1024),
    )  # fmt: skip


def _choices(sent: Iterable[tuple[str, object]], width: int) -> dict[int, str] | None:
    """The mapping sent back by the preview (``col_0=phone`` …, in its query or its form), or None
    when nothing was sent (the first look: the columns are guessed from the header)."""
    choices = {
        int(name[4:]): str(value)
        for name, value in sent
        if name.startswith("col_") and name[4:].isdigit() and int(name[4:]) < width
    }
    return choices or None


def _queried_choices(request: Request, staged: StagedUpload) -> dict[int, str] | None:
    return _choices(request.query_params.multi_items(), len(staged.table.header))


def _mapping(staged: StagedUpload, choices: dict[int, str] | None) -> dict[str, int] | None:
    if choices is None:
        return None
    return chosen_columns(choices, len(staged.table.header), MEMBER_FIELDS)


def _problems(request: Request, errors: list[RowError]) -> list[dict[str, object]]:
    """Each problem in the page's language: row, field label, what is wrong, the value as written."""
    gettext = translations(language_of(request)).gettext
    shown = []
    for e in errors:
        label = FIELD_LABELS.get(e.field)
        shown.append(
            {
                "row": e.row,
                "field": gettext(label) if label else e.field,
                "problem": e.problem_text(gettext),
                "value": e.value,
            }
        )
    return shown


def _preview_page(
    request: Request,
    actor: Actor,
    staged: StagedUpload,
    *,
    choices: dict[int, str] | None,
    error: str = "",
    status_code: int = 200,
    basis: str = "",
) -> HTMLResponse:
    service = _imports(request)
    mapping_error = ""
    try:
        fields = _mapping(staged, choices)
    except GuildCardError as failure:
        fields, mapping_error = None, message_of(request, failure)
    preview = service.preview(staged.table, rows=PREVIEW_ROWS, fields=fields)
    missing = [f for f in REQUIRED_MEMBER_FIELDS if f not in preview.columns]
    by_column = {index: name for name, index in preview.columns.items()}
    return render_page(
        request, "merchant/import_preview.html", status_code=status_code, actor=actor, staged=staged,
        preview=preview, by_column=by_column, field_labels=FIELD_LABELS, fields=MEMBER_FIELDS,
        required=REQUIRED_MEMBER_FIELDS, missing=missing, problems=_problems(request, preview.errors),
        error=error or mapping_error, basis=basis, total_rows=len(staged.table.rows),
    )  # fmt: skip


@router.get("/merchant/members/import", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    return _start_page(request, require_staff(request, *IMPORTER_ROLES))


@router.post("/merchant/members/import", response_model=None)
async def upload(
    request: Request, member_file: UploadFile | None = File(None), csrf_token: FormStr = ""
) -> Response:
    """Stage the file and show its preview. The file is optional in the signature so that a forged
    post is refused for its CSRF token (403) before anything reads the upload."""
    actor = require_staff(request, *IMPORTER_ROLES)
    check_csrf(request, csrf_token)
    data = await member_file.read(PAGE_MAX_BYTES + 1) if member_file is not None else b""
    filename = (member_file.filename if member_file is not None else "") or ""

    def stage() -> Response:
        if not data:
            return _start_page(
                request, actor, error=_text(request, "Choose a CSV or XLSX file."), status_code=422
            )
        try:
            staged = _imports(request).stage_upload(
                actor, alliance_id=actor.alliance_id, merchant_id=merchant_of(actor), filename=filename,
                data=data,
            )  # fmt: skip
        except GuildCardError as failure:
            return _start_page(request, actor, error=message_of(request, failure), status_code=422)
        return RedirectResponse(f"/merchant/members/import/{staged.upload_id}", status_code=303)

    return await run_in_threadpool(stage)


def _text(request: Request, message: str) -> str:
    return translations(language_of(request)).gettext(message)


def _staged(request: Request, actor: Actor, upload_id: str) -> StagedUpload:
    return _imports(request).staged(actor.alliance_id, merchant_of(actor), upload_id)


@router.get("/merchant/members/import/{upload_id}", response_class=HTMLResponse)
def preview(request: Request, upload_id: str) -> HTMLResponse:
    actor = require_staff(request, *IMPORTER_ROLES)
    try:
        staged = _staged(request, actor, upload_id)
    except GuildCardError as failure:
        return _start_page(request, actor, error=message_of(request, failure), status_code=404)
    return _preview_page(request, actor, staged, choices=_queried_choices(request, staged))


@router.post("/merchant/members/import/{upload_id}", response_class=HTMLResponse)
async def run_import(request: Request, upload_id: str) -> HTMLResponse:
    """Import the staged file with the mapping chosen on the preview; the report lists every bad row."""
    actor = require_staff(request, *IMPORTER_ROLES)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))

    def work() -> HTMLResponse:
        try:
            staged = _staged(request, actor, upload_id)
        except GuildCardError as failure:
            return _start_page(request, actor, error=message_of(request, failure), status_code=404)
        choices = _choices(form.multi_items(), len(staged.table.header)) or {}
        basis = str(form.get("basis") or "").strip()
        try:
            if not basis or form.get("attest") != "yes":
                raise ImportBasisMissing()
            report = _imports(request).import_members(
                actor, alliance_id=actor.alliance_id, merchant_id=merchant_of(actor), table=staged.table,
                source_name=staged.filename, basis=basis, all_or_nothing=form.get("mode") == "all_or_nothing",
                upload_id=upload_id, fields=_mapping(staged, choices),
            )  # fmt: skip
        except GuildCardError as failure:
            return _preview_page(
                request, actor, staged, choices=choices, error=message_of(request, failure), status_code=422,
                basis=basis,
            )  # fmt: skip
        return render_page(
            request, "merchant/import_report.html", actor=actor, report=report, staged=staged,
            problems=_problems(request, report.errors), query=_query(choices),
        )  # fmt: skip

    return await run_in_threadpool(work)


def _query(choices: dict[int, str]) -> str:
    return "&".join(f"col_{index}={field}" for index, field in sorted(choices.items()))


@router.get("/merchant/members/import/{upload_id}/problems.csv", response_model=None)
def problems_csv(request: Request, upload_id: str) -> Response:
    """Every bad row of the staged file with what is wrong, for fixing in a spreadsheet (UTF-8 with BOM)."""
    actor = require_staff(request, *IMPORTER_ROLES)
    try:
        staged = _staged(request, actor, upload_id)
        fields = _mapping(staged, _queried_choices(request, staged))
    except GuildCardError as failure:
        return _start_page(request, actor, error=message_of(request, failure), status_code=404)
    preview = _imports(request).preview(staged.table, rows=len(staged.table.rows), fields=fields)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_text(request, h) for h in ("Row", "Field", "Problem", "Value as written")])
    for p in _problems(request, preview.errors):
        writer.writerow([p["row"], p["field"], p["problem"], p["value"]])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-problems-{upload_id}.csv"'},
    )
