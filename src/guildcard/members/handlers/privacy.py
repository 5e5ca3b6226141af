"""Erasure: the member's identity destroyed, the member id kept under a pseudonym."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from guildcard.auth import tokens
from guildcard.kernel.actors import ActorKind
from guildcard.members.domain.pseudonyms import erased_label
from guildcard.members.errors import MemberNotFound
from guildcard.members.handlers.common import handlers, member_repository, the_member_only
from guildcard.pipeline import Command, Work


@dataclass(frozen=True, kw_only=True)
class EraseMember(Command):
    scope = "members.erase"
    alliance_id: str
    member_id: str


@dataclass(frozen=True)
class ErasureResult:
    member_id: str
    pseudonym: str
    erased_at: datetime
    sessions_revoked: int
    already_erased: bool


@handlers.register(authorize=the_member_only)
def erase_member(command: EraseMember, work: Work) -> ErasureResult:
    alliance_id, member_id = command.alliance_id, command.member_id
    repo = member_repository(work)
    member = repo.get(alliance_id, member_id, lock=True)
    if member is None:
        raise MemberNotFound()
    if not member.is_active:
        assert member.erased_at is not None
        return ErasureResult(member_id, member.pseudonym, member.erased_at, 0, already_erased=True)
    pseudonym = erased_label(repo.keyed_digest(member_id, scope=f"{alliance_id}:erased"))
    if member.phone:
        repo.delete_codes_of(alliance_id, repo.phone_hash(alliance_id, member.phone))
    repo.erase(member, pseudonym=pseudonym, now=work.now)
    revoked = tokens.revoke_all_for(
        work.connection,
        alliance_id=alliance_id,
        actor_kind=ActorKind.MEMBER,
        actor_id=member_id,
        now=work.now,
    )
    work.audit(
        "members.erase", object_type="member", object_id=member_id, details={"sessions_revoked": revoked}
    )
    work.emit("members.member_erased", member_id, member_id=member_id)
    return ErasureResult(member_id, pseudonym, work.now, revoked, already_erased=False)
