"""The audit log, read-only: operators their alliance's, owners their merchant's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from guildcard.api.auth import CurrentActor
from guildcard.api.v1.alliance_common import PROBLEMS, IsoDatetime, Services
from guildcard.api.v1.alliance_schemas import AuditEntryRead
from guildcard.audit.log import AuditFilter

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=PROBLEMS)


def _filter(
    *,
    object_type: Annotated[str | None, Query(max_length=32)] = None,
    object_id: Annotated[str | None, Query(max_length=40)] = None,
    actor_id: Annotated[str | None, Query(max_length=40)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: IsoDatetime | None = None,
    until: IsoDatetime | None = None,
    before_id: Annotated[
        str | None, Query(max_length=40, description="Page: entries older than this id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditFilter:
    return AuditFilter(
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )


AuditQuery = Annotated[AuditFilter, Depends(_filter)]


@router.get("/audit-log", response_model=list[AuditEntryRead])
def alliance_log(actor: CurrentActor, services: Services, where: AuditQuery) -> list[AuditEntryRead]:
    """Operators: the alliance's audit log, newest first, filtered by object, actor, action or time."""
    return [AuditEntryRead.of(e) for e in services.audit.alliance_log(actor, where)]


@router.get("/merchants/{merchant_id}/audit-log", response_model=list[AuditEntryRead])
def merchant_log(
    merchant_id: str, actor: CurrentActor, services: Services, where: AuditQuery
) -> list[AuditEntryRead]:
    """Owners (and operators): one merchant's lines."""
    return [AuditEntryRead.of(e) for e in services.audit.merchant_log(actor, merchant_id, where)]


@router.get("/audit-log/{entry_id}", response_model=AuditEntryRead)
def audit_entry(entry_id: str, actor: CurrentActor, services: Services) -> AuditEntryRead:
    return AuditEntryRead.of(services.audit.get(actor, entry_id))
