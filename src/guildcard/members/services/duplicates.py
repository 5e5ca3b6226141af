"""Possible duplicates for operators: the flagged pairs, and their review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from guildcard.kernel.actors import Actor
from guildcard.kernel.permissions import Perm, allows
from guildcard.members.domain.duplicates import Verdict
from guildcard.members.domain.model import Member
from guildcard.members.handlers.duplicates import ReviewDuplicate, require_operator
from guildcard.members.services.base import MembersDeps
from guildcard.members.storage.duplicates import DuplicateFlag
from guildcard.privacy.phones import mask_phone


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


def mask_name(name: str | None) -> str | None:
    """张伟 → 张*: enough to tell two pairs apart, not enough to know who it is."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def pair_member(member: Member | None, member_id: str, *, reveal: bool) -> PairMember:
    """Full name and birthday only for roles holding ``members.personal_read``; masked otherwise."""
    if member is None:
        return PairMember(member_id, None, None, None, "unknown")
    name = member.profile.display_name if member.is_active else member.pseudonym
    return PairMember(
        member_id=member.member_id,
        display_name=name if reveal or not member.is_active else mask_name(name),
        phone_masked=mask_phone(member.phone) if member.phone else None,
        birthday=member.profile.birthday if reveal else None,
        status=member.status.value,
    )


class DuplicateService:
    def __init__(self, deps: MembersDeps) -> None:
        self.deps = deps

    def list(
        self, *, actor: Actor, alliance_id: str, status: Verdict | None = Verdict.OPEN
    ) -> list[DuplicatePair]:
        """Flagged pairs for review, phones masked (names and birthdays too, unless the role holds
        ``members.personal_read``). Raises OperatorsOnly."""
        require_operator(actor, alliance_id, Perm.DUPLICATE_READ)
        reveal = allows(actor, Perm.MEMBER_PERSONAL_READ)
        with self.deps.read() as repos:
            found = repos.duplicates.list(alliance_id, status=status)
            repo = repos.members
            return [
                DuplicatePair(
                    flag,
                    pair_member(repo.get(alliance_id, flag.member_a), flag.member_a, reveal=reveal),
                    pair_member(repo.get(alliance_id, flag.member_b), flag.member_b, reveal=reveal),
                )
                for flag in found
            ]

    def review(self, *, actor: Actor, alliance_id: str, flag_id: str, verdict: Verdict) -> DuplicateFlag:
        """Record the operator's verdict (nothing is merged). Safe to repeat with the same verdict.

        Raises OperatorsOnly, DuplicateFlagNotFound, DuplicateAlreadyReviewed.
        """
        command = ReviewDuplicate(alliance_id=alliance_id, flag_id=flag_id, verdict=verdict)
        reviewed: DuplicateFlag = self.deps.bus.execute(actor, command).value
        return reviewed
