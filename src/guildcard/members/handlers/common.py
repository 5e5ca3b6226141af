"""What every members handler shares: the registry, its dependencies, repositories, the actor check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied
from guildcard.members.domain.model import Member
from guildcard.members.domain.otp import OtpPolicy
from guildcard.members.errors import MemberNotFound
from guildcard.members.ports import HoldingsCarrier
from guildcard.members.storage.duplicates import DuplicateRepository
from guildcard.members.storage.repository import MemberRepository
from guildcard.pipeline import Handlers, Work
from guildcard.privacy.cipher import FieldCipher, LookupHasher

handlers = Handlers("members")


class MembersPorts(Protocol):
    """What handlers find in ``work.deps`` (``MembersDeps`` in production; services own the rest)."""

    @property
    def cipher(self) -> FieldCipher: ...
    @property
    def lookup(self) -> LookupHasher: ...
    @property
    def policy(self) -> OtpPolicy: ...
    @property
    def session_ttl(self) -> timedelta: ...
    @property
    def carriers(self) -> tuple[HoldingsCarrier, ...]: ...


def ports(work: Work) -> MembersPorts:
    deps: MembersPorts = work.deps
    return deps


def member_repository(work: Work) -> MemberRepository:
    deps = ports(work)
    return MemberRepository(work.connection, deps.cipher, deps.lookup)


def duplicate_repository(work: Work) -> DuplicateRepository:
    return DuplicateRepository(work.connection)


def active_member(repo: MemberRepository, alliance_id: str, member_id: str, *, lock: bool = False) -> Member:
    member = repo.get(alliance_id, member_id, lock=lock)
    if member is None or not member.is_active:
        raise MemberNotFound()
    return member


def member_actor(alliance_id: str, member_id: str) -> Actor:
    return Actor(kind=ActorKind.MEMBER, id=member_id, alliance_id=alliance_id)


def the_member_only(actor: Actor, command: Any) -> None:
    """A member's own data is changed by that member (``command`` has alliance_id and member_id)."""
    if (actor.kind, actor.id, actor.alliance_id) != (
        ActorKind.MEMBER,
        command.member_id,
        command.alliance_id,
    ):
        raise PermissionDenied()
