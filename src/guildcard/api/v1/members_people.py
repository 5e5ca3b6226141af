"""Integrators' and operators' endpoints for member import, duplicates and merges (issue 17).

- ``POST /member-imports``: a merchant's member file (CSV or XLSX, multipart), imported row by row
  with a report (or refused whole with ``all_or_nothing``); the merchant's owner or an operator admin.
  Re-sending the same file changes nothing (keyed by the merchant's member id).
- ``GET /member-match-pairs``: candidate pairs from the linkage job, each field's contribution and
  what each side holds; ``POST …/{pair_id}/review``: two different people, or back to review.
- ``POST /member-merges`` (``Idempotency-Key``), ``GET /member-merges``, ``POST …/{merge_id}/undo``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.api.v1.alliance_common import IdempotencyKey, mark_replay
from guildcard.api.v1.members_schemas import PairMemberRead, problems
from guildcard.kernel.permissions import P
from guildcard.members.errors import ImportNotAllowed, MergeNotAllowed
from guildcard.members.handlers.merge import Merged, MergeMembers, Unmerged, UnmergeMembers
from guildcard.members.services.imports import PAGE_MAX_BYTES, ImportReport
from guildcard.members.services.merge import Holder, MergeView, PairView

router = APIRouter(prefix="/api/v1/alliances/{alliance_id}", tags=["members"])


class RowProblemRead(BaseModel):
    row: int = Field(description="1-based data row (the header is row 0).")
    field: str
    problem: str = Field(description="What is wrong, in English (stable wording).")
    value: str = Field(description="The cell as written.")


class ImportReportRead(BaseModel):
    batch_id: str
    rows: int
    created: int
    linked: int = Field(description="Rows whose phone was already a member: linked, flagged for review.")
    unchanged: int = Field(description="Rows imported before (same merchant member id).")
    rejected: int
    points: int = Field(description="Opening points awarded, funded by the importing merchant.")
    problems: list[RowProblemRead]

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportRead:
        return cls(
            batch_id=report.batch_id, rows=report.rows, created=report.created, linked=report.linked,
            unchanged=report.unchanged, rejected=report.rejected, points=report.points,
            problems=[
                RowProblemRead(row=e.row, field=e.field, problem=e.message, value=e.value)
                for e in report.errors
            ],
        )  # fmt: skip


class ImportBatchRead(BaseModel):
    batch_id: str
    merchant_id: str | None
    kind: str
    source_name: str
    created: int
    linked: int
    unchanged: int
    rejected: int
    imported_at: datetime


class HolderRead(BaseModel):
    member: PairMemberRead
    points: int
    pending: int
    held: int
    debt: int
    registered_at: datetime | None
    can_be_absorbed: bool

    @classmethod
    def of(cls, h: Holder) -> HolderRead:
        return cls(
            member=PairMemberRead(**vars(h.member)), points=h.points, pending=h.pending, held=h.held,
            debt=h.debt, registered_at=h.registered_at, can_be_absorbed=h.can_be_absorbed,
        )  # fmt: skip


class MatchPairRead(BaseModel):
    pair_id: str
    probability: float
    band: Literal["certain", "review"]
    status: Literal["open", "merged", "distinct"]
    contributions: dict[str, dict[str, Any]] = Field(description="field -> {level, weight}")
    found_at: datetime
    left: HolderRead
    right: HolderRead

    @classmethod
    def of(cls, p: PairView) -> MatchPairRead:
        return cls(
            pair_id=p.pair_id, probability=p.probability, band=p.band, status=p.status,  # type: ignore[arg-type]
            contributions=p.contributions, found_at=p.found_at, left=HolderRead.of(p.left),
            right=HolderRead.of(p.right),
        )  # fmt: skip


class PairReviewBody(BaseModel):
    verdict: Literal["distinct", "open"]
    model_config = ConfigDict(json_schema_extra={"examples": [{"verdict": "distinct"}]})


class PairReviewedRead(BaseModel):
    pair_id: str
    status: str


class MergeBody(BaseModel):
    survivor_id: str = Field(min_length=1, max_length=40)
    absorbed_id: str = Field(min_length=1, max_length=40)
    pair_id: str | None = Field(default=None, max_length=40)


class MergedRead(BaseModel):
    merge_id: str
    survivor_id: str
    absorbed_id: str
    points: int
    pending: int
    growth: int
    purchases: int

    @classmethod
    def of(cls, m: Merged) -> MergedRead:
        return cls(**vars(m))


class UnmergedRead(BaseModel):
    merge_id: str
    survivor_id: str
    absorbed_id: str
    points: int

    @classmethod
    def of(cls, u: Unmerged) -> UnmergedRead:
        return cls(**vars(u))


class MergeRead(BaseModel):
    merge_id: str
    status: Literal["merged", "undone"]
    merged_at: datetime
    undo_before: datetime
    undone_at: datetime | None
    points: int
    survivor: PairMemberRead
    absorbed: PairMemberRead

    @classmethod
    def of(cls, m: MergeView) -> MergeRead:
        return cls(
            merge_id=m.merge_id, status=m.status, merged_at=m.merged_at, undo_before=m.undo_before,  # type: ignore[arg-type]
            undone_at=m.undone_at, points=m.points, survivor=PairMemberRead(**vars(m.survivor)),
            absorbed=PairMemberRead(**vars(m.absorbed)),
        )  # fmt: skip


@router.post(
    "/member-imports",
    response_model=ImportReportRead,
    responses=problems(401, 403, 404, 422),
    dependencies=[requires(P.MEMBER_IMPORT, ImportNotAllowed)],
)
async def import_members(
    alliance_id: str,
    *,
    actor: CurrentActor,
    container: ContainerDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GB18030) or XLSX, at most 10 MB.")],
    merchant_id: Annotated[str, Form(min_length=1, max_length=40)],
    basis: Annotated[str, Form(min_length=1, max_length=500, description="The consent basis attested.")],
    columns: Annotated[str | None, Form(max_length=1000, description="header=field,… (手机=phone)")] = None,
    all_or_nothing: Annotated[bool, Form()] = False,
) -> ImportReportRead:
    """Import a merchant's members; each bad row is reported by row and field, nothing of it written."""
    data = await file.read(PAGE_MAX_BYTES + 1)
    filename = file.filename or "members.csv"

    def run() -> ImportReport:
        service = container.members.imports
        table = service.read_upload(data, filename)
        return service.import_members(
            actor, alliance_id=alliance_id, merchant_id=merchant_id, table=table,
            source_name=filename, basis=basis, columns=columns, all_or_nothing=all_or_nothing,
        )  # fmt: skip

    return ImportReportRead.of(await run_in_threadpool(run))


@router.get("/member-imports", response_model=list[ImportBatchRead], responses=problems(401, 403))
def list_imports(
    alliance_id: str, actor: CurrentActor, container: ContainerDep, merchant_id: str | None = None
) -> list[ImportBatchRead]:
    """The latest imports: operators see the alliance's, a merchant's owner its own (``merchant_id``)."""
    rows = container.members.imports.batches(actor, alliance_id, merchant_id)
    return [ImportBatchRead.model_validate(dict(r._mapping)) for r in rows]


@router.get("/member-match-pairs", response_model=list[MatchPairRead], responses=problems(401, 403))
def list_pairs(
    alliance_id: str,
    actor: CurrentActor,
    container: ContainerDep,
    status: Literal["open", "merged", "distinct"] = "open",
) -> list[MatchPairRead]:
    """Candidate pairs, most likely first; phones masked (names and birthdays too without personal_read)."""
    pairs = container.members.merging.review_list(actor, alliance_id, status=status)
    return [MatchPairRead.of(p) for p in pairs]


@router.post(
    "/member-match-pairs/{pair_id}/review",
    response_model=PairReviewedRead,
    responses=problems(401, 403, 404, 409, 422),
    dependencies=[requires(P.DUPLICATE_REVIEW, MergeNotAllowed)],
)
def review_pair(
    alliance_id: str, pair_id: str, body: PairReviewBody, actor: CurrentActor, container: ContainerDep
) -> PairReviewedRead:
    """Mark a pair as two different people, or back to review. A merged pair is undone by its merge."""
    reviewed = container.members.merging.review_pair(actor, alliance_id, pair_id, body.verdict)
    return PairReviewedRead(pair_id=reviewed.pair_id, status=reviewed.status)


@router.post(
    "/member-merges",
    response_model=MergedRead,
    status_code=201,
    responses=problems(401, 403, 404, 409, 422),
    dependencies=[requires(P.DUPLICATE_REVIEW, MergeNotAllowed)],
)
def merge(
    alliance_id: str,
    body: MergeBody,
    *,
    actor: CurrentActor,
    container: ContainerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> MergedRead:
    """Merge ``absorbed_id`` into ``survivor_id`` in one transaction (points lots keep issuer and expiry).
    Refused (422 ``members.merge_refused``) while the absorbed member has open holds or a debt."""
    command = MergeMembers(
        alliance_id=alliance_id, survivor_id=body.survivor_id, absorbed_id=body.absorbed_id,
        pair_id=body.pair_id, idempotency_key=idempotency_key,
    )  # fmt: skip
    outcome = container.bus.execute(actor, command)
    mark_replay(response, outcome.replayed)
    return MergedRead.of(outcome.value)


@router.get("/member-merges", response_model=list[MergeRead], responses=problems(401, 403))
def list_merges(alliance_id: str, actor: CurrentActor, container: ContainerDep) -> list[MergeRead]:
    return [MergeRead.of(m) for m in container.members.merging.merge_list(actor, alliance_id)]


@router.post(
    "/member-merges/{merge_id}/undo",
    response_model=UnmergedRead,
    responses=problems(401, 403, 404, 409, 422),
    dependencies=[requires(P.DUPLICATE_REVIEW, MergeNotAllowed)],
)
def undo_merge(
    alliance_id: str,
    merge_id: str,
    *,
    actor: CurrentActor,
    container: ContainerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> UnmergedRead:
    """Undo a merge within 30 days, when what moved is all still there (else 422 saying why)."""
    outcome = container.bus.execute(
        actor, UnmergeMembers(alliance_id=alliance_id, merge_id=merge_id, idempotency_key=idempotency_key)
    )
    mark_replay(response, outcome.replayed)
    return UnmergedRead.of(outcome.value)
