"""Possible duplicates: flagged by other members handlers, reviewed by operators."""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.permissions import Perm, allows
from guildcard.members.domain.duplicates import Verdict, likely_same_person, ordered_pair
from guildcard.members.domain.model import Member
from guildcard.members.errors import DuplicateAlreadyReviewed, DuplicateFlagNotFound, OperatorsOnly
from guildcard.members.handlers.common import duplicate_repository, handlers, member_repository
from guildcard.members.storage.duplicates import DuplicateFlag
from guildcard.pipeline import Command, Work


def require_operator(actor: Actor, alliance_id: str, perm: Perm) -> None:
    if actor.kind is not ActorKind.OPERATOR or actor.alliance_id != alliance_id:
        raise OperatorsOnly()
    if not allows(actor, perm):
        raise OperatorsOnly("Only an admin or a reviewer may review possible duplicates.")


def flag_possible_duplicates(work: Work, member: Member) -> int:
    """Flag every active member born the same day whose name looks alike; the number flagged."""
    name, birthday = member.profile.display_name, member.profile.birthday
    if not name or birthday is None:
        return 0
    flags = duplicate_repository(work)
    flagged = 0
    for other in member_repository(work).same_birthday(
        member.alliance_id, birthday, besides=member.member_id
    ):
        similarity = likely_same_person(name, other.profile.display_name or "")
        if similarity is not None and flags.flag(
            alliance_id=member.alliance_id,
            pair=ordered_pair(member.member_id, other.member_id),
            score=round(similarity.score),
            reason=similarity.reason,
            now=work.now,
        ):
            flagged += 1
    return flagged


@dataclass(frozen=True, kw_only=True)
class ReviewDuplicate(Command):
    scope = "members.review_duplicate"
    alliance_id: str
    flag_id: str
    verdict: Verdict


def _reviewers_only(actor: Actor, command: ReviewDuplicate) -> None:
    require_operator(actor, command.alliance_id, Perm.DUPLICATE_REVIEW)


@handlers.register(authorize=_reviewers_only)
def review_duplicate(command: ReviewDuplicate, work: Work) -> DuplicateFlag:
    if command.verdict is Verdict.OPEN:
        raise DuplicateAlreadyReviewed("A review must say whether the pair is one person or two.")
    flags = duplicate_repository(work)
    flag = flags.get(command.alliance_id, command.flag_id, lock=True)
    if flag is None:
        raise DuplicateFlagNotFound()
    if flag.status is command.verdict:
        return flag
    if flag.status is not Verdict.OPEN:
        raise DuplicateAlreadyReviewed(current=flag.status.value)
    flags.review(command.alliance_id, flag.flag_id, command.verdict, by=work.actor.id, now=work.now)
    reviewed = flags.get(command.alliance_id, flag.flag_id)
    assert reviewed is not None
    details = {"verdict": command.verdict.value, "member_ids": [flag.member_a, flag.member_b]}
    work.audit(
        "members.duplicate_review", object_type="member_duplicate", object_id=flag.flag_id, details=details
    )
    work.emit("members.duplicate_reviewed", flag.flag_id, flag_id=flag.flag_id, **details)
    return reviewed
