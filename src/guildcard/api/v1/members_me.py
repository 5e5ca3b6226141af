"""The signed-in member: profile, consents, member code, export and erasure."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from guildcard.api.auth import SESSION_COOKIE, CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.api.v1.alliance_common import IdempotencyKey, mark_replay
from guildcard.api.v1.members_schemas import (
    ConsentChangeRead,
    ConsentRead,
    ConsentsRead,
    ConsentUpdate,
    ErasureCreate,
    ErasureRead,
    MemberCodeRead,
    MemberRead,
    ProfileUpdate,
    VisitRead,
    problems,
)
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied
from guildcard.kernel.permissions import P
from guildcard.members.domain import member_code
from guildcard.members.domain.model import ConsentKind, current_consents
from guildcard.members.qr import qr_svg
from guildcard.web.routes import member_reads

router = APIRouter(prefix="/api/v1/me", tags=["me"])
NO_STORE = {"Cache-Control": "no-store"}


class MembersOnly(PermissionDenied):
    """Only a signed-in member may do this."""

    code = "members.members_only"


def current_member(actor: CurrentActor) -> Actor:
    if actor.kind is not ActorKind.MEMBER:
        raise MembersOnly()
    return actor


MemberActor = Annotated[Actor, Depends(current_member)]


@router.get("", response_model=MemberRead, responses=problems(401, 403))
def get_me(actor: MemberActor, container: ContainerDep) -> MemberRead:
    """The member's profile, phone in clear (it is theirs)."""
    return MemberRead.of(container.members.profiles.get(alliance_id=actor.alliance_id, member_id=actor.id))


@router.patch(
    "",
    response_model=MemberRead,
    responses=problems(401, 403, 422),
    dependencies=[requires(P.MEMBER_SELF, MembersOnly)],
)
def update_me(body: ProfileUpdate, actor: MemberActor, container: ContainerDep) -> MemberRead:
    """Change the fields sent (null clears one); safe to repeat. Error: `members.invalid_profile`."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    member = container.members.profiles.update(
        alliance_id=actor.alliance_id, member_id=actor.id, changes=changes
    )
    return MemberRead.of(member)


@router.get("/consents", response_model=ConsentsRead, responses=problems(401, 403))
def get_consents(actor: MemberActor, container: ContainerDep) -> ConsentsRead:
    """Each consent's current decision, and every decision ever recorded with version and time."""
    history = container.members.profiles.consents(alliance_id=actor.alliance_id, member_id=actor.id)
    return ConsentsRead(
        current={kind: ConsentRead.of(c) for kind, c in current_consents(history).items()},
        history=[ConsentRead.of(c) for c in history],
    )


@router.put(
    "/consents/{kind}",
    response_model=ConsentChangeRead,
    responses=problems(401, 403, 409, 422),
    dependencies=[requires(P.MEMBER_SELF, MembersOnly)],
)
def put_consent(
    *,
    kind: ConsentKind,
    body: ConsentUpdate,
    actor: MemberActor,
    container: ContainerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Grant or withdraw one consent (terms, marketing, sharing, phone_lookup); safe to repeat.

    With an `Idempotency-Key`, a retry returns the first answer (`Idempotent-Replayed: true`).
    """
    change = container.members.profiles.set_consent(
        alliance_id=actor.alliance_id,
        member_id=actor.id,
        kind=kind,
        granted=body.granted,
        version=body.version,
        idempotency_key=idempotency_key,
    )
    mark_replay(response, change.replayed)
    return ConsentChangeRead(**ConsentRead.of(change.consent).model_dump(), changed=change.changed)


@router.get("/member-code", response_model=MemberCodeRead, responses=problems(401, 403))
def get_member_code(actor: MemberActor, container: ContainerDep) -> JSONResponse:
    """The current member code: digits and a QR code (SVG). It changes every 30 s and works once;
    after it was used the next one is returned at once, with the purchase it was used for."""
    shown = container.members.member_codes.show_member_code(alliance_id=actor.alliance_id, member_id=actor.id)
    visit = member_reads.recent_visit(container, actor.alliance_id, actor.id)
    body = MemberCodeRead(
        digits=shown.digits,
        expires_in=shown.expires_in,
        step_seconds=member_code.STEP_SECONDS,
        svg=qr_svg(shown.digits),
        last_visit=VisitRead(**vars(visit)) if visit else None,
    )
    return JSONResponse(body.model_dump(), headers=NO_STORE)


@router.get(
    "/member-code.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **problems(401, 403)},
)
def get_member_code_svg(actor: MemberActor, container: ContainerDep) -> Response:
    """The current member code as a QR code image."""
    shown = container.members.member_codes.show_member_code(alliance_id=actor.alliance_id, member_id=actor.id)
    return Response(qr_svg(shown.digits), media_type="image/svg+xml", headers=NO_STORE)


@router.get("/export", responses={200: {"content": {"application/json": {}}}, **problems(401, 403)})
def export_me(actor: MemberActor, container: ContainerDep) -> JSONResponse:
    """Everything GuildCard's members records hold about the member, as a JSON download."""
    data = container.members.privacy.export(alliance_id=actor.alliance_id, member_id=actor.id)
    headers = {**NO_STORE, "Content-Disposition": 'attachment; filename="guildcard-member-export.json"'}
    return JSONResponse(data, headers=headers)


@router.post(
    "/erasure",
    response_model=ErasureRead,
    responses=problems(401, 403, 422),
    dependencies=[requires(P.MEMBER_SELF, MembersOnly)],
)
def erase_me(
    body: ErasureCreate, actor: MemberActor, container: ContainerDep, response: Response
) -> ErasureRead:
    """Erase the member's identity (irreversible); points history keeps its amounts under a pseudonym.

    Every session ends, this one included.
    """
    assert body.confirm
    result = container.members.privacy.erase(alliance_id=actor.alliance_id, member_id=actor.id)
    response.delete_cookie(SESSION_COOKIE)
    return ErasureRead(
        member_id=result.member_id,
        pseudonym=result.pseudonym,
        erased_at=result.erased_at,
        sessions_revoked=result.sessions_revoked,
        already_erased=result.already_erased,
    )
