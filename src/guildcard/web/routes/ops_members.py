"""Operator console: duplicates found by the linkage job (each field's contribution, what each side
holds), their review, merging a pair into its survivor, and undoing a merge within 30 days."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.kernel.errors import InvalidInput
from guildcard.members.services.merge import MergeService
from guildcard.web.routes.ops_support import container, handle_post, operator, redirect, render, text

router = APIRouter(include_in_schema=False)
PAGE = "/ops/members/duplicates"
STATUSES = ("open", "distinct", "merged")

# The linkage model's field names -> labels (message ids in people.po), in the order shown.
FIELD_LABELS = {
    "name": "Name",
    "birthday": "Birthday",
    "phone": "Phone",
    "address": "Address",
    "id_number": "ID number",
}


def _merging(request: Request) -> MergeService:
    return container(request).members.merging


def _page(request: Request, *, error: str = "", status_code: int = 200) -> HTMLResponse:
    actor = operator(request)
    status = request.query_params.get("status", "open")
    status = status if status in STATUSES else "open"
    service = _merging(request)
    pairs = service.review_list(actor, actor.alliance_id, status=status)
    merges = service.merge_list(actor, actor.alliance_id)
    now = container(request).clock.now()
    return render(
        request, "ops/duplicates.html", actor=actor, active=PAGE, pairs=pairs, merges=merges, status=status,
        statuses=STATUSES, field_labels=FIELD_LABELS, now=now, error=error,
        status_code=422 if error else status_code,
    )  # fmt: skip


@router.get(PAGE, response_class=HTMLResponse)
def duplicates(request: Request) -> HTMLResponse:
    return _page(request)


@router.post(f"{PAGE}/run", response_model=None)
async def run_linkage(request: Request) -> Response:
    """Score new and changed members against everyone (the incremental job), now."""
    actor = operator(request)

    def action(_form: FormData) -> Response:
        found = _merging(request).find_duplicates(actor, actor.alliance_id)
        return redirect(PAGE, done="linkage_run", added=str(found.added))

    return await handle_post(request, action, lambda message: _page(request, error=message))


@router.post("/ops/members/pairs/{pair_id}/merge", response_model=None)
async def merge_pair(request: Request, pair_id: str) -> Response:
    """Merge the pair into the side the operator chose as survivor (``survivor`` = its member id)."""
    actor = operator(request)

    def action(form: FormData) -> Response:
        survivor, absorbed = text(form, "survivor"), text(form, "absorbed")
        if not survivor or not absorbed:
            raise InvalidInput("choose which member stays", field="survivor")
        _merging(request).merge(
            actor, actor.alliance_id, survivor, absorbed, pair_id,
            idempotency_key=text(form, "idempotency_key") or None,
        )  # fmt: skip
        return redirect(PAGE, done="merged")

    return await handle_post(request, action, lambda message: _page(request, error=message))


@router.post("/ops/members/pairs/{pair_id}/review", response_model=None)
async def review_pair(request: Request, pair_id: str) -> Response:
    actor = operator(request)

    def action(form: FormData) -> Response:
        _merging(request).review_pair(actor, actor.alliance_id, pair_id, text(form, "verdict"))
        return redirect(PAGE, done="pair_reviewed")

    return await handle_post(request, action, lambda message: _page(request, error=message))


@router.post("/ops/members/merges/{merge_id}/undo", response_model=None)
async def undo_merge(request: Request, merge_id: str) -> Response:
    actor = operator(request)

    def action(form: FormData) -> Response:
        _merging(request).unmerge(
            actor, actor.alliance_id, merge_id, idempotency_key=text(form, "idempotency_key") or None
        )
        return redirect(PAGE, done="unmerged")

    return await handle_post(request, action, lambda message: _page(request, error=message))
