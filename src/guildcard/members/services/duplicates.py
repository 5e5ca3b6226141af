"""Possible duplicates: flagged at registration, on profile changes and on import; reviewed by operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.members.domain.duplicates import Verdict, likely_same_person, ordered_pair
from guildcard.members.domain.model import Member
from guildcard.members.errors import DuplicateAlreadyReviewed, DuplicateFlagNotFound, OperatorsOnly
from guildcard.members.services.base import MembersDeps, MembersUnitOfWork
from guildcard.members.storage.duplicates import DuplicateFlag
from guildcard.privacy.phones import mask_phone

REVIEWER_ROLES = ("admin", "reviewer")


@dataclass(frozen=True)
class PairMember:
    member_id: str
    display_name: str | None
    phone_masked: str | None
    birthday: date | None
    status: str


@dataclass(frozen=True)
class DuplicatePair:
    flag: DuplicateFlag
    first: PairMember
    second: PairMember


def flag_possible_duplicates(uow: MembersUnitOfWork, member: Member, *, now: datetime) -> int:
    """Flag every active member born the same day whose name looks alike; the number flagged."""
    name, birthday = member.profile.display_name, member.profile.birthday
    if not name or birthday is None:
        return 0
    flagged = 0
    for other in uow.members.same_birthday(member.alliance_id, birthday, besides=member.member_id):
        similarity = likely_same_person(name, other.profile.display_name or "")
        if similarity is not None and uow.duplicates.flag(
            alliance_id=member.alliance_id,
            pair=ordered_pair(member.member_id, other.member_id),
            score=round(similarity.score),
            reason=similarity.reason,
            now=now,
        ):
            flagged += 1
    return flagged


def _require_operator(actor: Actor, alliance_id: str, *roles: str) -> None:
    if actor.kind is not ActorKind.OPERATOR or actor.alliance_id != alliance_id:
        raise OperatorsOnly()
    if roles and actor.role not in roles:
        raise OperatorsOnly("Only an admin or a reviewer may review possible duplicates.")


def _pair_member(member: Member | None, member_id: str) -> PairMember:
    if member is None:
        return PairMember(member_id, None, None, None, "unknown")
    return PairMember(
        member_id=member.member_id,
        display_name=member.profile.display_name if member.is_active else member.pseudonym,
        phone_masked=mask_phone(member.phone) if member.phone else None,
        birthday=member.profile.birthday,
        status=member.status.value,
    )


class DuplicateService:
    def __init__(self, deps: MembersDeps) -> None:
        self.deps = deps

    def list(
        self, *, actor: Actor, alliance_id: str, status: Verdict | None = Verdict.OPEN
    ) -> list[DuplicatePair]:
        """Flagged pairs for review, phones masked. Raises OperatorsOnly."""
        _require_operator(actor, alliance_id)
        with self.deps.read() as repos:
            found = repos.duplicates.list(alliance_id, status=status)
            repo = repos.members
            return [
                DuplicatePair(
                    flag,
                    _pair_member(repo.get(alliance_id, flag.member_a), flag.member_a),
                    _pair_member(repo.get(alliance_id, flag.member_b), flag.member_b),
                )
                for flag in found
            ]

    def review(self, *, actor: Actor, alliance_id: str, flag_id: str, verdict: Verdict) -> DuplicateFlag:
        """Record the operator's verdict (nothing is merged). Safe to repeat with the same verdict.

        Raises OperatorsOnly, DuplicateFlagNotFound, DuplicateAlreadyReviewed.
        """
        _require_operator(actor, alliance_id, *REVIEWER_ROLES)
        if verdict is Verdict.OPEN:
            raise DuplicateAlreadyReviewed("A review must say whether the pair is one person or two.")
        now = self.deps.clock.now()
        with self.deps.uow() as uow:
            flag = uow.duplicates.get(alliance_id, flag_id, lock=True)
            if flag is None:
                raise DuplicateFlagNotFound()
            if flag.status is verdict:
                return flag
            if flag.status is not Verdict.OPEN:
                raise DuplicateAlreadyReviewed(current=flag.status.value)
            uow.duplicates.review(alliance_id, flag_id, verdict, by=actor.id, now=now)
            reviewed = uow.duplicates.get(alliance_id, flag_id)
            uow.commit()
        assert reviewed is not None
        return reviewed
