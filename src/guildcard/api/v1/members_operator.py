"""Operator endpoints of the members context: possible duplicates for review."""

from __future__ import annotations

from fastapi import APIRouter

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.api.v1.members_schemas import DuplicateRead, DuplicateReview, PairMemberRead, problems
from guildcard.kernel.permissions import P
from guildcard.members.domain.duplicates import Verdict
from guildcard.members.errors import OperatorsOnly
from guildcard.members.services.duplicates import DuplicatePair

router = APIRouter(prefix="/api/v1/alliances/{alliance_id}/member-duplicates", tags=["operators"])


def _read(pair: DuplicatePair) -> DuplicateRead:
    flag = pair.flag
    return DuplicateRead(
        flag_id=flag.flag_id,
        score=flag.score,
        reason=flag.reason,
        status=flag.status,
        flagged_at=flag.flagged_at,
        reviewed_at=flag.reviewed_at,
        reviewed_by=flag.reviewed_by,
        first=PairMemberRead(**vars(pair.first)),
        second=PairMemberRead(**vars(pair.second)),
    )


@router.get("", response_model=list[DuplicateRead], responses=problems(401, 403))
def list_duplicates(
    alliance_id: str, actor: CurrentActor, container: ContainerDep, status: Verdict | None = Verdict.OPEN
) -> list[DuplicateRead]:
    """Pairs of members that may be one person (same birthday, similar names). Operators only."""
    pairs = container.members.duplicates.list(actor=actor, alliance_id=alliance_id, status=status)
    return [_read(p) for p in pairs]


@router.post(
    "/{flag_id}/review",
    response_model=DuplicateRead,
    responses=problems(401, 403, 404, 409),
    dependencies=[requires(P.DUPLICATE_REVIEW, OperatorsOnly)],
)
def review_duplicate(
    alliance_id: str, flag_id: str, body: DuplicateReview, actor: CurrentActor, container: ContainerDep
) -> DuplicateRead:
    """Record whether the pair is one person; nothing is merged. Safe to repeat with the same verdict."""
    service = container.members.duplicates
    service.review(actor=actor, alliance_id=alliance_id, flag_id=flag_id, verdict=body.verdict)
    reviewed = [
        p
        for p in service.list(actor=actor, alliance_id=alliance_id, status=None)
        if p.flag.flag_id == flag_id
    ]
    return _read(reviewed[0])
