"""The member's own profile and consents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from guildcard.kernel.clock import business_date
from guildcard.members.domain.model import Consent, ConsentKind, Member, clean_profile, current_consents
from guildcard.members.errors import InvalidProfile, TermsConsentRequired
from guildcard.members.services.base import MembersDeps, active_member
from guildcard.members.services.duplicates import flag_possible_duplicates

PROFILE_FIELDS = frozenset({"display_name", "gender", "birthday", "region"})
MAX_VERSION_LEN = 32


@dataclass(frozen=True)
class ConsentChange:
    consent: Consent
    changed: bool  # False when the same decision and version were already recorded


class ProfileService:
    def __init__(self, deps: MembersDeps) -> None:
        self.deps = deps

    def get(self, *, alliance_id: str, member_id: str) -> Member:
        """The member as they see themselves (phone in clear). Raises MemberNotFound."""
        with self.deps.read() as repos:
            return active_member(repos.members, alliance_id, member_id)

    def update(self, *, alliance_id: str, member_id: str, changes: Mapping[str, Any]) -> Member:
        """Change the given profile fields (None clears one). Safe to repeat.

        Raises MemberNotFound, InvalidProfile.
        """
        unknown = set(changes) - PROFILE_FIELDS
        if unknown:
            raise InvalidProfile(f"unknown profile fields: {', '.join(sorted(unknown))}")
        now = self.deps.clock.now()
        with self.deps.uow() as uow:
            member = active_member(uow.members, alliance_id, member_id, lock=True)
            profile = clean_profile(replace(member.profile, **changes), today=business_date(now))
            if profile == member.profile:
                return member
            uow.members.save_profile(member, profile, now=now)
            updated = replace(member, profile=profile)
            if (profile.display_name, profile.birthday) != (
                member.profile.display_name,
                member.profile.birthday,
            ):
                flag_possible_duplicates(uow, updated, now=now)
            uow.commit()
        return updated

    def consents(self, *, alliance_id: str, member_id: str) -> list[Consent]:
        """Every consent decision, oldest first. Raises MemberNotFound."""
        with self.deps.read() as repos:
            active_member(repos.members, alliance_id, member_id)
            return repos.members.consents(alliance_id, member_id)

    def set_consent(
        self, *, alliance_id: str, member_id: str, kind: ConsentKind, granted: bool, version: str
    ) -> ConsentChange:
        """Record a decision on one consent, with its version and time. Safe to repeat.

        Raises MemberNotFound, InvalidProfile, TermsConsentRequired (the terms cannot be
        withdrawn while remaining a member: erasure is the way out).
        """
        version = version.strip()
        if not 1 <= len(version) <= MAX_VERSION_LEN:
            raise InvalidProfile(f"version must be 1 to {MAX_VERSION_LEN} characters", field="version")
        if kind is ConsentKind.TERMS and not granted:
            raise TermsConsentRequired("The terms cannot be withdrawn; ask for erasure to leave.")
        now = self.deps.clock.now()
        with self.deps.uow() as uow:
            active_member(uow.members, alliance_id, member_id, lock=True)
            current = current_consents(uow.members.consents(alliance_id, member_id)).get(kind)
            if current is not None and (current.granted, current.version) == (granted, version):
                return ConsentChange(current, changed=False)
            record = Consent(kind, granted, version, now)
            uow.members.add_consent(alliance_id, member_id, record)
            uow.commit()
        return ConsentChange(record, changed=True)
