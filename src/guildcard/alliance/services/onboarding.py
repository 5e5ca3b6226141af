"""Merchant onboarding (入驻): a public application, the operators' review, and approval.

Approval creates the merchant, its first store and an owner account in one transaction. The
owner has no password yet: the approval answers a one-time activation token (valid 7 days)
that the operator hands to the owner, who sets a password with ``POST /api/v1/auth/activate``.
"""

from __future__ import annotations

import builtins
from typing import cast

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import AllianceNotFound, ObjectNotFound, TooManyApplications
from guildcard.alliance.domain.onboarding import (
    Application,
    ApplicationForm,
    ApplicationStatus,
    ReviewDecision,
)
from guildcard.alliance.handlers.common import or_raise
from guildcard.alliance.handlers.onboarding import (
    Approval,
    ReviewApplication,
    ReviseApplication,
    SubmitApplication,
    Submitted,
)
from guildcard.alliance.services.base import Created, Deps
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.actors import Actor, system_actor

__all__ = ["ApplicationForm", "Approval", "OnboardingService", "Submitted"]

APPLICATIONS_PER_IP = "10/hour"


class OnboardingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _applicant(self, alliance: str) -> Actor:
        """Applicants have no account: they act as the alliance's anonymous applicant."""
        with self.deps.database.read() as conn:
            alliance_id = or_raise(repo.get_alliance(conn, alliance), AllianceNotFound).id
        return system_actor(alliance_id, "applicant")

    # --- the applicant (no account) ---------------------------------------------------------

    def submit(
        self, alliance: str, form: ApplicationForm, *, client_ip: str, idempotency_key: str | None
    ) -> Created[Submitted]:
        self.deps.throttle.hit(
            APPLICATIONS_PER_IP, "merchant-application", client_ip, error=TooManyApplications
        )
        command = SubmitApplication(form=form, idempotency_key=idempotency_key)
        return Created.of(self.deps.bus.execute(self._applicant(alliance), command))

    def revise(
        self, alliance: str, application_id: str, applicant_token: str, form: ApplicationForm
    ) -> Application:
        """The applicant answers a request for changes; the application goes back to review."""
        command = ReviseApplication(application_id=application_id, applicant_token=applicant_token, form=form)
        return cast("Application", self.deps.bus.execute(self._applicant(alliance), command).value)

    # --- operators ------------------------------------------------------------------------

    def get(self, actor: Actor, application_id: str) -> Application:
        authorize(actor, Perm.APPLICATION_READ, alliance_id=actor.alliance_id)
        with self.deps.database.read() as conn:
            row = or_raise(repo.application_row(conn, actor.alliance_id, application_id), ObjectNotFound)
            return repo.application_of(row, self.deps.cipher)

    def list(
        self, actor: Actor, *, status: ApplicationStatus | None = None, limit: int = 100
    ) -> list[Application]:
        authorize(actor, Perm.APPLICATION_READ, alliance_id=actor.alliance_id)
        with self.deps.database.read() as conn:
            rows = repo.application_rows(conn, actor.alliance_id, status.value if status else None, limit)
            return [repo.application_of(r, self.deps.cipher) for r in rows]

    def history(self, actor: Actor, application_id: str) -> builtins.list[dict[str, object]]:
        self.get(actor, application_id)
        with self.deps.database.read() as conn:
            return repo.status_events(conn, actor.alliance_id, "application", application_id)

    def review(
        self,
        actor: Actor,
        application_id: str,
        decision: ReviewDecision,
        *,
        reason: str | None = None,
        owner_login: str | None = None,
        owner_name: str | None = None,
        idempotency_key: str | None = None,
    ) -> Created[Approval]:
        """Approve, reject (reason required) or ask for changes (reason required)."""
        command = ReviewApplication(
            application_id=application_id,
            decision=decision,
            reason=reason,
            owner_login=owner_login,
            owner_name=owner_name,
            idempotency_key=idempotency_key,
        )
        return Created.of(self.deps.bus.execute(actor, command))
