"""The member's own profile and consents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from guildcard.kernel.clock import business_date
from guildcard.members.domain.model import (
    Consent,
    ConsentKind,
    Member,
    Profile,
    clean_profile,
    current_consents,
)
from guildcard.members.errors import BirthdayLocked, InvalidProfile, TermsConsentRequired
from guildcard.members.handlers.common import active_member, handlers, member_repository, the_member_only
from guildcard.members.handlers.duplicates import flag_possible_duplicates
from guildcard.pipeline import Command, Work

PROFILE_FIELDS = tuple(f.name for f in fields(Profile))
MAX_VERSION_LEN = 32


@dataclass(frozen=True, kw_only=True)
class UpdateProfile(Command):
    scope = "members.update_profile"
    alliance_id: str
    member_id: str
    changes: Mapping[str, Any]  # profile field -> new value (None clears it)


@handlers.register(authorize=the_member_only)
def update_profile(command: UpdateProfile, work: Work) -> Member:
    unknown = set(command.changes) - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidProfile(f"unknown profile fields: {', '.join(sorted(unknown))}")
    repo = member_repository(work)
    member = active_member(repo, command.alliance_id, command.member_id, lock=True)
    locked = member.profile.birthday
    if locked is not None and "birthday" in command.changes and command.changes["birthday"] != locked:
        # The birthday drives the birthday gift: the member sets it once (support corrects it).
        raise BirthdayLocked(field="birthday")
    profile = clean_profile(replace(member.profile, **command.changes), today=business_date(work.now))
    changed = [name for name in PROFILE_FIELDS if getattr(profile, name) != getattr(member.profile, name)]
    if not changed:
        return member
    repo.save_profile(member, profile, now=work.now)
    updated = replace(member, profile=profile)
    if {"display_name", "birthday"} & set(changed):
        flag_possible_duplicates(work, updated)
    # Field names only: the values are personal data and stay in encrypted storage.
    work.emit("members.profile_updated", member.member_id, member_id=member.member_id, fields=changed)
    fields_changed = {"fields": changed}
    work.audit(
        "members.update_profile", object_type="member", object_id=member.member_id, details=fields_changed
    )
    return updated


@dataclass(frozen=True, kw_only=True)
class SetConsent(Command):
    scope = "members.set_consent"
    alliance_id: str
    member_id: str
    kind: ConsentKind
    granted: bool
    version: str


@dataclass(frozen=True)
class ConsentChange:
    consent: Consent
    changed: bool  # False when the same decision and version were already recorded
    replayed: bool = False  # True when an idempotency key was seen before: the first result


@handlers.register(authorize=the_member_only)
def set_consent(command: SetConsent, work: Work) -> ConsentChange:
    version = command.version.strip()
    if not 1 <= len(version) <= MAX_VERSION_LEN:
        raise InvalidProfile(f"version must be 1 to {MAX_VERSION_LEN} characters", field="version")
    if command.kind is ConsentKind.TERMS and not command.granted:
        raise TermsConsentRequired("The terms cannot be withdrawn; ask for erasure to leave.")
    repo, member_id = member_repository(work), command.member_id
    active_member(repo, command.alliance_id, member_id, lock=True)
    current = current_consents(repo.consents(command.alliance_id, member_id)).get(command.kind)
    if current is not None and (current.granted, current.version) == (command.granted, version):
        return ConsentChange(current, changed=False)
    record = Consent(command.kind, command.granted, version, work.now)
    repo.add_consent(command.alliance_id, member_id, record)
    work.emit(
        "members.consent_changed",
        member_id,
        member_id=member_id,
        kind=command.kind.value,
        granted=command.granted,
    )
    details = {"consent": command.kind.value, "granted": command.granted, "version": version}
    work.audit("members.set_consent", object_type="member", object_id=member_id, details=details)
    return ConsentChange(record, changed=True)
