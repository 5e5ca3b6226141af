"""The member's rights over their data: export (JSON) and erasure."""

from __future__ import annotations

from typing import Any

from guildcard.members.handlers.common import active_member, member_actor
from guildcard.members.handlers.privacy import EraseMember, ErasureResult
from guildcard.members.services.base import MembersDeps
from guildcard.privacy.phones import mask_phone

__all__ = ["EXPORT_FORMAT", "ErasureResult", "PrivacyService"]

EXPORT_FORMAT = "guildcard.member-export.v1"


class PrivacyService:
    def __init__(self, deps: MembersDeps) -> None:
        self.deps = deps

    def export(self, *, alliance_id: str, member_id: str) -> dict[str, Any]:
        """Everything the members context holds about the member, phone in clear (for them only).

        Raises MemberNotFound.
        """
        now = self.deps.clock.now()
        with self.deps.read() as repos:
            member = active_member(repos.members, alliance_id, member_id)
            consents = repos.members.consents(alliance_id, member_id)
            code_uses = repos.members.code_uses(alliance_id, member_id)
        profile = member.profile
        return {
            "format": EXPORT_FORMAT,
            "exported_at": now.isoformat(),
            "alliance_id": alliance_id,
            "member": {
                "member_id": member.member_id,
                "member_number": member.number,
                "status": member.status.value,
                "phone": member.phone,
                "phone_masked": mask_phone(member.phone) if member.phone else None,
                "registered_at": member.registered_at.isoformat(),
                "pseudonym": member.pseudonym,
            },
            "profile": {
                "display_name": profile.display_name,
                "gender": profile.gender.value if profile.gender else None,
                "birthday": profile.birthday.isoformat() if profile.birthday else None,
                "region": profile.region,
            },
            "consents": [
                {
                    "kind": c.kind.value,
                    "granted": c.granted,
                    "version": c.version,
                    "recorded_at": c.recorded_at.isoformat(),
                }
                for c in consents
            ],
            "member_code_scans": [moment.isoformat() for moment in code_uses],
        }

    def erase(self, *, alliance_id: str, member_id: str) -> ErasureResult:
        """Destroy the member's identity; keep the id (so the ledger stays balanced) under a pseudonym.

        Phone (cipher and hash), name, gender, birthday, region and the member-code secret
        are overwritten; consents keep only kind, decision, version and time; every session
        is revoked; pending one-time codes for the phone are deleted. The phone may register
        again later, as a new member. Safe to repeat. Raises MemberNotFound.
        """
        command = EraseMember(alliance_id=alliance_id, member_id=member_id)
        result: ErasureResult = self.deps.bus.execute(member_actor(alliance_id, member_id), command).value
        return result
