"""Request and response bodies of the members API (pydantic at the edge only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guildcard.members.domain.duplicates import Verdict
from guildcard.members.domain.model import Consent, ConsentKind, Gender, Member
from guildcard.members.domain.otp import OtpPurpose
from guildcard.privacy.phones import mask_phone

PHONE_EXAMPLE = "13812345678"


class ProblemRead(BaseModel):
    """An error, as application/problem+json: switch on ``code``."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    request_id: str | None = None
    model_config = ConfigDict(extra="allow")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": ProblemRead, "content": {"application/problem+json": {}}} for status in statuses
    }


class OtpCreate(BaseModel):
    phone: str = Field(min_length=3, max_length=32, description="Mainland numbers need no +86.")
    purpose: OtpPurpose = OtpPurpose.LOGIN
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"phone": PHONE_EXAMPLE, "purpose": "register"}]}
    )


class OtpRead(BaseModel):
    phone_masked: str
    expires_in: int = Field(description="Seconds the code stays valid.")
    resend_after: int = Field(description="Seconds before another code may be requested.")
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"phone_masked": "138****5678", "expires_in": 600, "resend_after": 60}]
        }
    )


class ProfileFields(BaseModel):
    display_name: str | None = Field(default=None, max_length=64)
    gender: Gender | None = None
    birthday: date | None = None
    region: str | None = Field(default=None, max_length=128)


class SessionCreate(BaseModel):
    phone: str = Field(min_length=3, max_length=32)
    code: str = Field(min_length=4, max_length=10)
    accept_terms_version: str | None = Field(
        default=None, max_length=32, description="Needed to register: the version of the terms accepted."
    )
    profile: ProfileFields | None = Field(default=None, description="Optional, when registering.")
    set_cookie: bool = Field(default=False, description="Also set the gc_session cookie (pages).")
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "phone": PHONE_EXAMPLE,
                    "code": "123456",
                    "accept_terms_version": "2026-11",
                    "profile": {"display_name": "张伟", "birthday": "1990-05-01"},
                }
            ]
        }
    )


class MemberRead(BaseModel):
    member_id: str
    status: str
    phone: str | None = Field(description="In clear: this is the member themselves.")
    phone_masked: str | None
    display_name: str | None
    gender: Gender | None
    birthday: date | None
    region: str | None
    registered_at: datetime

    @classmethod
    def of(cls, member: Member) -> MemberRead:
        p = member.profile
        return cls(
            member_id=member.member_id,
            status=member.status.value,
            phone=member.phone,
            phone_masked=mask_phone(member.phone) if member.phone else None,
            display_name=p.display_name,
            gender=p.gender,
            birthday=p.birthday,
            region=p.region,
            registered_at=member.registered_at,
        )


class SessionRead(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: datetime
    registered: bool = Field(description="True when this sign-in created the member.")
    member: MemberRead


class ProfileUpdate(ProfileFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"display_name": "张伟", "gender": "male", "region": "上海市浦东新区"}]
        }
    )


class ConsentRead(BaseModel):
    kind: ConsentKind
    granted: bool
    version: str
    recorded_at: datetime

    @classmethod
    def of(cls, consent: Consent) -> ConsentRead:
        return cls(
            kind=consent.kind,
            granted=consent.granted,
            version=consent.version,
            recorded_at=consent.recorded_at,
        )


class ConsentsRead(BaseModel):
    current: dict[ConsentKind, ConsentRead]
    history: list[ConsentRead]


class ConsentUpdate(BaseModel):
    granted: bool
    version: str = Field(min_length=1, max_length=32, description="Version of the text consented to.")
    model_config = ConfigDict(json_schema_extra={"examples": [{"granted": True, "version": "2026-11"}]})


class ConsentChangeRead(ConsentRead):
    changed: bool = Field(description="False when this decision and version were already recorded.")


class VisitRead(BaseModel):
    """The member's purchase of the last minutes: what the card tells them just happened."""

    purchase_id: str
    merchant_name: str
    payable_fen: int
    points_earned: int
    points_used: int


class MemberCodeRead(BaseModel):
    digits: str = Field(description="Shown under the QR code; the QR holds the same digits.")
    expires_in: int
    step_seconds: int
    svg: str
    last_visit: VisitRead | None = Field(
        None, description="The latest purchase with the card in the last 10 minutes (after a code was used)."
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"digits": "42815307", "expires_in": 17, "step_seconds": 30, "svg": "<svg …>"}]
        }
    )


class ErasureCreate(BaseModel):
    confirm: Literal[True] = Field(description="Must be true: erasure cannot be undone.")
    model_config = ConfigDict(json_schema_extra={"examples": [{"confirm": True}]})


class ErasureRead(BaseModel):
    member_id: str
    pseudonym: str
    erased_at: datetime
    sessions_revoked: int
    already_erased: bool


class PairMemberRead(BaseModel):
    member_id: str
    display_name: str | None
    phone_masked: str | None
    birthday: date | None
    status: str


class DuplicateRead(BaseModel):
    flag_id: str
    score: int
    reason: str
    status: Verdict
    flagged_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str | None
    first: PairMemberRead
    second: PairMemberRead


class DuplicateReview(BaseModel):
    verdict: Literal[Verdict.DIFFERENT, Verdict.SAME]
    model_config = ConfigDict(json_schema_extra={"examples": [{"verdict": "different_people"}]})
