"""Members, profiles and consents as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from guildcard.members.errors import InvalidProfile

MAX_NAME_LEN = 32
MAX_REGION_LEN = 64
EARLIEST_BIRTHDAY = date(1900, 1, 1)


class MemberStatus(StrEnum):
    ACTIVE = "active"
    ERASED = "erased"  # identity destroyed; the id stays so the ledger keeps balancing
    MERGED = "merged"  # absorbed into another member (its phone resolves to the survivor)


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class ConsentKind(StrEnum):
    """Each consent is asked, recorded and withdrawn separately (PIPL art. 14, 23)."""

    TERMS = "terms"  # the membership terms and privacy notice
    MARKETING = "marketing"  # marketing messages
    SHARING = "sharing"  # sharing name and masked phone with the merchants the member visits
    PHONE_LOOKUP = "phone_lookup"  # being found by phone number at a counter


@dataclass(frozen=True)
class Profile:
    display_name: str | None = None
    gender: Gender | None = None
    birthday: date | None = None
    region: str | None = None


@dataclass(frozen=True)
class Consent:
    kind: ConsentKind
    granted: bool
    version: str
    recorded_at: datetime


@dataclass(frozen=True)
class MemberRef:
    """Enough to act for a member at the counter, without personal data."""

    alliance_id: str
    member_id: str
    number: int


@dataclass(frozen=True)
class Member:
    alliance_id: str
    member_id: str
    number: int
    status: MemberStatus
    phone: str | None  # E.164, decrypted; None once erased
    profile: Profile
    pseudonym: str
    registered_at: datetime
    erased_at: datetime | None = None

    @property
    def ref(self) -> MemberRef:
        return MemberRef(self.alliance_id, self.member_id, self.number)

    @property
    def is_active(self) -> bool:
        return self.status is MemberStatus.ACTIVE


def clean_profile(profile: Profile, *, today: date) -> Profile:
    """Trim and check a profile; raises ``InvalidProfile`` naming the field."""
    name = profile.display_name.strip() if profile.display_name is not None else None
    if name is not None and not 1 <= len(name) <= MAX_NAME_LEN:
        raise InvalidProfile(f"display_name must be 1 to {MAX_NAME_LEN} characters", field="display_name")
    if profile.birthday is not None and not EARLIEST_BIRTHDAY <= profile.birthday <= today:
        raise InvalidProfile("birthday must be a past date after 1900", field="birthday")
    region = profile.region.strip() if profile.region is not None else None
    if region is not None and len(region) > MAX_REGION_LEN:
        raise InvalidProfile(f"region must be at most {MAX_REGION_LEN} characters", field="region")
    return Profile(display_name=name or None, gender=profile.gender, birthday=profile.birthday, region=region)


def current_consents(history: list[Consent]) -> dict[ConsentKind, Consent]:
    """The latest record of each kind (``history`` in recording order)."""
    latest: dict[ConsentKind, Consent] = {}
    for record in history:
        latest[record.kind] = record
    return latest


def has_consent(history: list[Consent], kind: ConsentKind) -> bool:
    record = current_consents(history).get(kind)
    return record is not None and record.granted
