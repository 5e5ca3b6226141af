"""The member's own profile and consents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from guildcard.kernel.actors import Actor
from guildcard.members.domain.model import Consent, ConsentKind, Member
from guildcard.members.domain.terms import Terms
from guildcard.members.handlers.common import active_member, member_actor
from guildcard.members.handlers.profiles import ConsentChange, SetConsent, UpdateProfile
from guildcard.members.handlers.terms import PublishTerms
from guildcard.members.services.base import MembersDeps
from guildcard.members.storage import terms as terms_store

__all__ = ["ConsentChange", "ProfileService"]


class ProfileService:
    def __init__(self, deps: MembersDeps) -> None:
        self.deps = deps

    def get(self, *, alliance_id: str, member_id: str) -> Member:
        """The member as they see themselves (phone in clear). Raises MemberNotFound."""
        with self.deps.read() as repos:
            return active_member(repos.members, alliance_id, member_id)

    def update(self, *, alliance_id: str, member_id: str, changes: Mapping[str, Any]) -> Member:
        """Change the given profile fields (None clears one). Safe to repeat.

        Raises MemberNotFound, InvalidProfile; BirthdayLocked when a birthday already set would change.
        """
        command = UpdateProfile(alliance_id=alliance_id, member_id=member_id, changes=dict(changes))
        member: Member = self.deps.bus.execute(member_actor(alliance_id, member_id), command).value
        return member

    def consents(self, *, alliance_id: str, member_id: str) -> list[Consent]:
        """Every consent decision, oldest first. Raises MemberNotFound."""
        with self.deps.read() as repos:
            active_member(repos.members, alliance_id, member_id)
            return repos.members.consents(alliance_id, member_id)

    def set_consent(
        self,
        *,
        alliance_id: str,
        member_id: str,
        kind: ConsentKind,
        granted: bool,
        version: str,
        idempotency_key: str | None = None,
    ) -> ConsentChange:
        """Record a decision on one consent, with its version and time. Safe to repeat.

        With ``idempotency_key``, a replay returns the first result (``replayed``) and the
        same key with another decision raises IdempotencyConflict.
        Raises MemberNotFound, InvalidProfile, TermsConsentRequired (the terms cannot be
        withdrawn while remaining a member: erasure is the way out).
        """
        command = SetConsent(
            alliance_id=alliance_id,
            member_id=member_id,
            kind=kind,
            granted=granted,
            version=version,
            idempotency_key=idempotency_key,
        )
        outcome = self.deps.bus.execute(member_actor(alliance_id, member_id), command)
        change: ConsentChange = outcome.value
        return replace(change, replayed=True) if outcome.replayed else change

    # --- the membership terms (versioned; a new version asks every member to agree again) ----

    def current_terms(self, *, alliance_id: str) -> Terms:
        """The alliance's current terms (the default text until it publishes its own)."""
        with self.deps.read() as repos:
            return terms_store.current_terms(repos.connection, alliance_id)

    def terms_to_agree(self, *, alliance_id: str, member_id: str) -> Terms | None:
        """The current terms when the member has not agreed to this version yet, else None."""
        with self.deps.read() as repos:
            return self.deps.terms_check.to_agree(repos.connection, alliance_id, member_id)

    def agree_to_terms(self, *, alliance_id: str, member_id: str, version: str) -> ConsentChange:
        """Record the member's agreement to ``version`` (the one they were shown), with its time."""
        return self.set_consent(
            alliance_id=alliance_id, member_id=member_id, kind=ConsentKind.TERMS, granted=True,
            version=version,
        )  # fmt: skip

    def publish_terms(
        self, actor: Actor, *, version: str, body: str, idempotency_key: str | None = None
    ) -> Terms:
        """Publish a new terms version (alliance.configure). Raises InvalidTerms, TermsVersionTaken."""
        command = PublishTerms(
            alliance_id=actor.alliance_id, version=version, body=body, idempotency_key=idempotency_key
        )
        terms: Terms = self.deps.bus.execute(actor, command).value
        return terms
