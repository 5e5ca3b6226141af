"""The member code at the counter: checked, and used up once.

``use_member_code`` runs on whatever connection it is given: the counter's commit uses the
code inside its own command (so the code is used up if and only if the purchase is recorded);
``RedeemMemberCode`` uses it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from guildcard.db.batch import WriteBatch
from guildcard.members.domain import member_code
from guildcard.members.domain.model import Member, MemberRef
from guildcard.members.errors import MemberCodeAlreadyUsed, MemberCodeInvalid
from guildcard.members.handlers.common import handlers, member_repository
from guildcard.members.storage.repository import MemberRepository
from guildcard.pipeline import Command, Work


@dataclass(frozen=True)
class CodeHolder:
    """The member behind a valid code, the code's time step, and whether the member shares their
    profile with merchants now (read together with the member)."""

    member: Member
    step: int
    shares: bool


def check_member_code(repo: MemberRepository, alliance_id: str, code: str, *, now: datetime) -> CodeHolder:
    """The member behind a code valid now and not yet used, and the code's time step.

    Raises MemberCodeInvalid (wrong, expired, unknown, other alliance), MemberCodeAlreadyUsed.
    """
    parsed = member_code.parse(code)
    if parsed is None:
        raise MemberCodeInvalid()
    # Usually the current step's reading is the member's (one read); a code made a step earlier
    # or later (clock drift) costs one more read each.
    for candidate in member_code.candidates(parsed, key=repo.code_key, now=now):
        found = repo.by_code_number(alliance_id, candidate.number)
        if found is None:
            continue
        member, secret, latest, shares = found
        if not member_code.totp_matches(secret, candidate):
            continue
        if latest is not None and latest >= candidate.step:
            raise MemberCodeAlreadyUsed()
        return CodeHolder(member, candidate.step, shares)
    raise MemberCodeInvalid()


def use_member_code(
    repo: MemberRepository, alliance_id: str, code: str, *, now: datetime, writes: WriteBatch | None = None
) -> CodeHolder:
    """The member behind a valid code, the code used up in ``repo``'s transaction (the whole member:
    the counter shows them without reading them again).

    ``writes``: the command's write batch; the use joins it and is checked when it is written
    (``MemberCodeAlreadyUsed`` then rolls the command back)."""
    holder = check_member_code(repo, alliance_id, code, now=now)
    # The unique key (alliance, member, step) decides between two concurrent scans.
    if writes is not None:
        repo.record_code_use_into(
            writes, alliance_id, holder.member.member_id, holder.step, now, taken=_already_used
        )
    elif not repo.record_code_use(alliance_id, holder.member.member_id, holder.step, now):
        raise MemberCodeAlreadyUsed()
    return holder


def _already_used() -> None:
    raise MemberCodeAlreadyUsed()


@dataclass(frozen=True, kw_only=True)
class RedeemMemberCode(Command):
    scope = "members.redeem_member_code"
    alliance_id: str
    code: str = field(repr=False)
    at: datetime | None = None  # None: the command's time


@handlers.register()
def redeem_member_code(command: RedeemMemberCode, work: Work) -> MemberRef:
    return use_member_code(
        member_repository(work), command.alliance_id, command.code, now=command.at or work.now
    ).member.ref
