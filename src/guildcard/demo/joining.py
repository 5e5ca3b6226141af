"""A member joins as on the phone: a one-time code, sign-in (registration), then consents.

Shared by the demo's story and the benchmark's alliance; every step is the members service.
"""

from __future__ import annotations

from collections.abc import Iterable

from guildcard.bootstrap import Container
from guildcard.members.domain.model import ConsentKind, Profile
from guildcard.members.domain.otp import OtpPurpose
from guildcard.members.services.identity import SignedIn


def fixed_otp(container: Container) -> str:
    """The development fixed one-time code the seeding signs in with."""
    otp = container.settings.fixed_otp
    assert otp, "seeding signs members in with a development fixed one-time code (GUILDCARD_FIXED_OTP)"
    return otp


def join(
    container: Container,
    alliance_id: str,
    *,
    phone: str,
    client_ip: str,
    terms_version: str,
    profile: Profile | None = None,
    consents: Iterable[ConsentKind] = (),
) -> SignedIn:
    """Request a code, sign in with it (registering the member), grant ``consents``."""
    members = container.members
    members.identity.request_code(
        alliance_id=alliance_id, phone=phone, purpose=OtpPurpose.REGISTER, client_ip=client_ip
    )
    signed = members.identity.sign_in(
        alliance_id=alliance_id, phone=phone, code=fixed_otp(container), client_ip=client_ip,
        terms_version=terms_version, profile=profile,
    )  # fmt: skip
    for kind in consents:
        members.profiles.set_consent(
            alliance_id=alliance_id, member_id=signed.member.member_id, kind=kind, granted=True,
            version=terms_version,
        )  # fmt: skip
    return signed
