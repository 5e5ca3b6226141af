"""Registration and sign-in by phone number and one-time code."""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.kernel.actors import system_actor
from guildcard.members.domain.model import Profile
from guildcard.members.domain.otp import OtpPurpose, new_code
from guildcard.members.errors import CodeExhausted, CodeInvalid, TooManyRequests
from guildcard.members.handlers.identity import (
    CodeIssued,
    CodeRefused,
    IssueCode,
    SignedIn,
    SignIn,
    WithdrawCode,
)
from guildcard.members.ports import OutgoingCode
from guildcard.members.services.base import MembersDeps
from guildcard.privacy.phones import mask_phone, normalize_phone

__all__ = ["CodeRequested", "IdentityService", "SignedIn"]


@dataclass(frozen=True)
class CodeRequested:
    phone_masked: str
    expires_in: int
    resend_after: int


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
        # The address limit counts requests, not transactions: checked once, before the command.
        deps.throttle.hit(policy.per_ip_requests, "members-otp", client_ip, error=TooManyRequests)
        e164 = normalize_phone(phone)
        code = deps.fixed_otp or new_code()
        actor = system_actor(alliance_id, "members.request_code")
        issued: CodeIssued = deps.bus.execute(
            actor, IssueCode(alliance_id=alliance_id, phone=e164, purpose=purpose, code=code)
        ).value
        # Sent after commit: a transaction the bus retries or rolls back must never send a code.
        try:
            deps.sender.send(
                OutgoingCode(alliance_id, e164, code, purpose, issued.sent_at, issued.expires_at)
            )
        except Exception:
            # Nothing was sent: take the code back, so asking again need not wait for the resend delay.
            deps.bus.execute(actor, WithdrawCode(alliance_id=alliance_id, otp_id=issued.otp_id))
            raise
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
        command = SignIn(
            alliance_id=alliance_id,
            phone=normalize_phone(phone),
            code=code.strip(),
            terms_version=terms_version,
            profile=profile,
        )
        result = deps.bus.execute(system_actor(alliance_id, "members.sign_in"), command).value
        if isinstance(result, CodeRefused):  # the wrong attempt is committed; the sign-in fails
            if result.attempts_left == 0:
                raise CodeExhausted()
            raise CodeInvalid(attempts_left=result.attempts_left)
        signed: SignedIn = result
        return signed
