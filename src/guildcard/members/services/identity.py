"""Registration and sign-in by phone number and one-time code."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from datetime import datetime

from guildcard.auth import tokens
from guildcard.kernel.actors import ActorKind
from guildcard.kernel.clock import business_date, end_of_business_day, start_of_business_day
from guildcard.kernel.ids import new_id
from guildcard.members.domain import member_code
from guildcard.members.domain.model import Consent, ConsentKind, Member, Profile, clean_profile
from guildcard.members.domain.otp import OtpPurpose, check_resend, check_usable, new_code
from guildcard.members.domain.pseudonyms import customer_label
from guildcard.members.errors import (
    CodeExhausted,
    CodeInvalid,
    DailyCodeLimit,
    TermsConsentRequired,
    TooManyRequests,
)
from guildcard.members.ports import OutgoingCode
from guildcard.members.services.base import MembersDeps, MembersUnitOfWork
from guildcard.members.services.duplicates import flag_possible_duplicates
from guildcard.privacy.phones import mask_phone, normalize_phone


@dataclass(frozen=True)
class CodeRequested:
    phone_masked: str
    expires_in: int
    resend_after: int


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_at: datetime
    member: Member
    registered: bool  # True when this sign-in created the member


class IdentityService:
    def __init__(self, deps: MembersDeps) -> None:
        self.deps = deps

    def request_code(
        self, *, alliance_id: str, phone: str, purpose: OtpPurpose, client_ip: str
    ) -> CodeRequested:
        """Send a one-time code. Raises UnknownAlliance, InvalidPhone, TooManyRequests,
        ResendTooSoon, DailyCodeLimit, SmsUnavailable.

        The answer is the same whether or not the phone belongs to a member.
        """
        deps, policy = self.deps, self.deps.policy
        deps.require_alliance(alliance_id)
        deps.throttle.hit(policy.per_ip_requests, "members-otp", client_ip, error=TooManyRequests)
        e164 = normalize_phone(phone)
        now = deps.clock.now()
        with deps.uow() as uow:
            repo = uow.members
            phone_hash = repo.phone_hash(alliance_id, e164)
            check_resend(repo.last_code_sent_at(alliance_id, phone_hash), now=now, policy=policy)
            today = business_date(now)
            if repo.codes_sent_since(alliance_id, phone_hash, start_of_business_day(today)) >= (
                policy.per_phone_per_day
            ):
                wait = end_of_business_day(today) - now
                raise DailyCodeLimit(retry_after=max(1, int(wait.total_seconds())))
            code = deps.fixed_otp or new_code()
            expires_at = now + policy.ttl
            repo.add_code(
                alliance_id=alliance_id,
                phone_hash=phone_hash,
                purpose=purpose.value,
                code=code,
                now=now,
                expires_at=expires_at,
            )
            # Sent before commit: when sending fails nothing is stored, so no resend wait.
            deps.sender.send(OutgoingCode(alliance_id, e164, code, purpose, now, expires_at))
            uow.commit()
        return CodeRequested(
            phone_masked=mask_phone(e164),
            expires_in=int(policy.ttl.total_seconds()),
            resend_after=int(policy.resend_after.total_seconds()),
        )

    def sign_in(
        self,
        *,
        alliance_id: str,
        phone: str,
        code: str,
        client_ip: str,
        terms_version: str | None = None,
        profile: Profile | None = None,
    ) -> SignedIn:
        """Check the code; register the member when new (needs ``terms_version``); issue a token.

        Raises UnknownAlliance, InvalidPhone, TooManyRequests, CodeInvalid, CodeExpired,
        CodeExhausted, TermsConsentRequired, InvalidProfile.
        """
        deps = self.deps
        deps.require_alliance(alliance_id)
        deps.throttle.hit(deps.policy.per_ip_sign_ins, "members-sign-in", client_ip, error=TooManyRequests)
        e164 = normalize_phone(phone)
        now = deps.clock.now()
        with deps.uow() as uow:
            self._check_code(uow, alliance_id, e164, code.strip(), now)
            member = uow.members.by_phone(alliance_id, e164)
            registered = member is None
            if member is None:
                member = self._register(
                    uow,
                    alliance_id=alliance_id,
                    e164=e164,
                    terms_version=terms_version,
                    profile=profile,
                    now=now,
                )
            expires_at = now + deps.session_ttl
            token = tokens.issue(
                uow.connection,
                alliance_id=alliance_id,
                actor_kind=ActorKind.MEMBER,
                actor_id=member.member_id,
                now=now,
                ttl=deps.session_ttl,
            )
            uow.commit()
        return SignedIn(token=token, expires_at=expires_at, member=member, registered=registered)

    def _check_code(
        self, uow: MembersUnitOfWork, alliance_id: str, e164: str, code: str, now: datetime
    ) -> None:
        repo, policy = uow.members, self.deps.policy
        latest = repo.latest_code(alliance_id, repo.phone_hash(alliance_id, e164))
        if latest is None or latest[0].consumed:
            raise CodeInvalid()
        issued, stored_hash = latest
        check_usable(issued, now=now, policy=policy)
        if not hmac.compare_digest(repo.code_hash(issued.otp_id, code), stored_hash):
            attempts = repo.count_wrong_attempt(alliance_id, issued.otp_id)
            uow.commit()  # the failed attempt counts even though this command fails
            left = max(0, policy.max_attempts - attempts)
            if left == 0:
                raise CodeExhausted()
            raise CodeInvalid(attempts_left=left)
        if not repo.consume_code(alliance_id, issued.otp_id, now):
            raise CodeInvalid()

    def _register(
        self,
        uow: MembersUnitOfWork,
        *,
        alliance_id: str,
        e164: str,
        terms_version: str | None,
        profile: Profile | None,
        now: datetime,
    ) -> Member:
        if not terms_version:
            raise TermsConsentRequired()
        repo = uow.members
        cleaned = clean_profile(profile, today=business_date(now)) if profile else None
        member_id = new_id("mem")
        repo.add(
            alliance_id=alliance_id,
            member_id=member_id,
            number=repo.next_number(alliance_id),
            phone=e164,
            totp_secret=member_code.new_secret(),
            pseudonym=customer_label(repo.keyed_digest(member_id, scope=f"{alliance_id}:pseudonym")),
            now=now,
        )
        repo.add_consent(alliance_id, member_id, Consent(ConsentKind.TERMS, True, terms_version, now))
        member = repo.get(alliance_id, member_id)
        assert member is not None
        if cleaned is not None:
            repo.save_profile(member, cleaned, now=now)
            member = replace(member, profile=cleaned)
            flag_possible_duplicates(uow, member, now=now)
        return member
