"""One-time codes and sign-in (registering the member when the phone is new).

Throttling and sending the code are not here: the service throttles before any transaction
and sends after the code is committed (a retried or rolled-back transaction must not send).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field, replace
from datetime import datetime

from guildcard.auth import tokens
from guildcard.kernel.actors import ActorKind
from guildcard.kernel.clock import business_date, end_of_business_day, start_of_business_day
from guildcard.kernel.ids import new_id
from guildcard.members.domain import member_code
from guildcard.members.domain.model import Consent, ConsentKind, Member, Profile, clean_profile
from guildcard.members.domain.otp import OtpPurpose, check_resend, check_usable
from guildcard.members.domain.pseudonyms import customer_label
from guildcard.members.errors import CodeInvalid, DailyCodeLimit, TermsConsentRequired
from guildcard.members.handlers.common import handlers, member_repository, ports
from guildcard.members.handlers.duplicates import flag_possible_duplicates
from guildcard.members.storage.repository import MemberRepository
from guildcard.pipeline import Command, Work

# Secrets (the one-time code) and personal data (the phone) are kept out of ``repr``; none of
# these commands takes an idempotency key, so nothing of them is stored either.


@dataclass(frozen=True, kw_only=True)
class IssueCode(Command):
    scope = "members.issue_code"
    alliance_id: str
    phone: str = field(repr=False)  # E.164
    purpose: OtpPurpose
    code: str = field(repr=False)


@dataclass(frozen=True)
class CodeIssued:
    otp_id: str
    sent_at: datetime
    expires_at: datetime


@handlers.register()
def issue_code(command: IssueCode, work: Work) -> CodeIssued:
    """Store a new code for the phone (only its keyed hash) unless it is too soon or too many today."""
    repo, policy, now = member_repository(work), ports(work).policy, work.now
    phone_hash = repo.phone_hash(command.alliance_id, command.phone)
    check_resend(repo.last_code_sent_at(command.alliance_id, phone_hash), now=now, policy=policy)
    today = business_date(now)
    if repo.codes_sent_since(command.alliance_id, phone_hash, start_of_business_day(today)) >= (
        policy.per_phone_per_day
    ):
        wait = end_of_business_day(today) - now
        raise DailyCodeLimit(retry_after=max(1, int(wait.total_seconds())))
    expires_at = now + policy.ttl
    otp_id = repo.add_code(
        alliance_id=command.alliance_id,
        phone_hash=phone_hash,
        purpose=command.purpose.value,
        code=command.code,
        now=now,
        expires_at=expires_at,
    )
    return CodeIssued(otp_id, now, expires_at)


@dataclass(frozen=True, kw_only=True)
class WithdrawCode(Command):
    """Take back a code that could not be sent, so that asking again need not wait."""

    scope = "members.withdraw_code"
    alliance_id: str
    otp_id: str


@handlers.register()
def withdraw_code(command: WithdrawCode, work: Work) -> None:
    member_repository(work).delete_code(command.alliance_id, command.otp_id)


@dataclass(frozen=True, kw_only=True)
class SignIn(Command):
    scope = "members.sign_in"
    alliance_id: str
    phone: str = field(repr=False)  # E.164
    code: str = field(repr=False)
    terms_version: str | None = None
    profile: Profile | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_at: datetime
    member: Member
    registered: bool  # True when this sign-in created the member


@dataclass(frozen=True)
class CodeRefused:
    """A wrong code: its attempt is counted (and committed), the sign-in fails."""

    attempts_left: int


@handlers.register()
def sign_in(command: SignIn, work: Work) -> SignedIn | CodeRefused:
    """Check the code; register the member when the phone is new; issue a session token."""
    repo, deps = member_repository(work), ports(work)
    refused = _use_code(work, repo, command)
    if refused is not None:
        return refused
    member = repo.by_phone(command.alliance_id, command.phone)
    registered = member is None
    if member is None:
        member = _register(work, repo, command)
    token = tokens.issue(
        work.connection,
        alliance_id=command.alliance_id,
        actor_kind=ActorKind.MEMBER,
        actor_id=member.member_id,
        now=work.now,
        ttl=deps.session_ttl,
    )
    # Successful sign-ins are audited as failed ones are: on the member, never the phone (item 16).
    details = {"registered": registered}
    work.audit("members.sign_in", object_type="member", object_id=member.member_id, details=details)
    return SignedIn(token=token, expires_at=work.now + deps.session_ttl, member=member, registered=registered)


def _use_code(work: Work, repo: MemberRepository, command: SignIn) -> CodeRefused | None:
    """Consume the phone's latest code, or count a wrong guess (returned, not raised: it must commit)."""
    policy = ports(work).policy
    latest = repo.latest_code(command.alliance_id, repo.phone_hash(command.alliance_id, command.phone))
    if latest is None or latest[0].consumed:
        raise CodeInvalid()
    issued, stored_hash = latest
    check_usable(issued, now=work.now, policy=policy)
    if not hmac.compare_digest(repo.code_hash(issued.otp_id, command.code), stored_hash):
        attempts = repo.count_wrong_attempt(command.alliance_id, issued.otp_id)
        known = repo.by_phone(command.alliance_id, command.phone)  # the line never holds the phone
        subject = ("member", known.member_id) if known is not None else ("otp", issued.otp_id)
        left = max(0, policy.max_attempts - attempts)
        details = {"attempts_left": left}
        work.audit("members.otp_failed", object_type=subject[0], object_id=subject[1], details=details)
        return CodeRefused(attempts_left=left)
    if not repo.consume_code(command.alliance_id, issued.otp_id, work.now):
        raise CodeInvalid()
    return None


def _register(work: Work, repo: MemberRepository, command: SignIn) -> Member:
    if not command.terms_version:
        raise TermsConsentRequired()
    alliance_id, now = command.alliance_id, work.now
    cleaned = clean_profile(command.profile, today=business_date(now)) if command.profile else None
    member_id = new_id("mem")
    repo.add(
        alliance_id=alliance_id,
        member_id=member_id,
        number=repo.next_number(alliance_id),
        phone=command.phone,
        totp_secret=member_code.new_secret(),
        pseudonym=customer_label(repo.keyed_digest(member_id, scope=f"{alliance_id}:pseudonym")),
        now=now,
    )
    repo.add_consent(alliance_id, member_id, Consent(ConsentKind.TERMS, True, command.terms_version, now))
    member = repo.get(alliance_id, member_id)
    assert member is not None
    if cleaned is not None:
        repo.save_profile(member, cleaned, now=now)
        member = replace(member, profile=cleaned)
        flag_possible_duplicates(work, member)
    work.emit(
        "members.member_registered", member_id, member_id=member_id, alliance_id=alliance_id, how="sign_in"
    )
    version = {"version": command.terms_version}
    work.audit("members.register", object_type="member", object_id=member_id, details=version)
    return member
