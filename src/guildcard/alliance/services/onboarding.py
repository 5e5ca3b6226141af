"""Merchant onboarding (入驻): a public application, the operators' review, and approval.

Approval creates the merchant, its first store and an owner account in one transaction. The
owner has no password yet: the approval answers a one-time activation token (valid 7 days)
that the operator hands to the owner, who sets a password with ``POST /api/v1/auth/activate``.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import IntegrityError

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.credit_code import normalize_credit_code
from guildcard.alliance.domain.errors import (
    AllianceNotFound,
    DuplicateCreditCode,
    DuplicateLogin,
    InvalidApplicantToken,
    ObjectNotFound,
    TooManyApplications,
    UnknownTradeCategory,
)
from guildcard.alliance.domain.model import (
    Coordinates,
    Merchant,
    MerchantStatus,
    StaffAccount,
    StaffRole,
    Store,
)
from guildcard.alliance.domain.onboarding import (
    Application,
    ApplicationDetails,
    ApplicationStatus,
    ReviewDecision,
    next_status,
)
from guildcard.alliance.services.alliances import ACTIVATION_TTL, check_login
from guildcard.alliance.services.base import (
    Created,
    Deps,
    claim_key,
    new_secret_token,
    or_raise,
    remember_key,
    split_secret_token,
)
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.audit.log import record
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.ids import new_id
from guildcard.privacy.phones import normalize_phone

APPLICATIONS_PER_IP = "10/hour"


@dataclass(frozen=True)
class ApplicationForm:
    """What the applicant sends, before validation."""

    business_name: str
    category: str
    credit_code: str
    legal_representative: str
    contact_phone: str
    store_name: str
    store_address: str
    store_latitude: str
    store_longitude: str


@dataclass(frozen=True)
class Submitted:
    application: Application
    applicant_token: str | None  # lets the applicant answer a request for changes; shown once


@dataclass(frozen=True)
class Approval:
    application: Application
    merchant: Merchant | None = None
    store: Store | None = None
    owner: StaffAccount | None = None
    owner_activation_token: str | None = None  # shown once


def _required(value: str, name: str, limit: int) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(f"{name} is required (at most {limit} characters)", field=name)
    return value


class OnboardingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _validate(self, conn: Connection, alliance_id: str, form: ApplicationForm) -> ApplicationDetails:
        category = form.category.strip()
        if category not in {c.code for c in repo.categories(conn, alliance_id, active_only=True)}:
            raise UnknownTradeCategory(field="category", category=category)
        return ApplicationDetails(
            business_name=_required(form.business_name, "business_name", 100),
            category=category,
            credit_code=normalize_credit_code(form.credit_code),
            legal_representative=_required(form.legal_representative, "legal_representative", 50),
            contact_phone=normalize_phone(form.contact_phone),
            store_name=_required(form.store_name, "store_name", 100),
            store_address=_required(form.store_address, "store_address", 200),
            store_coordinates=Coordinates.parse(form.store_latitude, form.store_longitude),
        )

    # --- the applicant (no account) ---------------------------------------------------------

    def submit(
        self, alliance: str, form: ApplicationForm, *, client_ip: str, idempotency_key: str | None
    ) -> Created[Submitted]:
        self.deps.throttle.hit(
            APPLICATIONS_PER_IP, "merchant-application", client_ip, error=TooManyApplications
        )
        now = self.deps.clock.now()
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            alliance_id = or_raise(repo.get_alliance(conn, alliance), AllianceNotFound).id
            scope = "alliance.application.submit"
            replay = claim_key(
                conn,
                alliance_id=alliance_id,
                scope=scope,
                key=idempotency_key,
                request=form.__dict__,
                now=now,
            )
            if replay is not None:
                row = or_raise(repo.application_row(conn, alliance_id, replay["id"]), ObjectNotFound)
                return Created(Submitted(repo.application_of(row, self.deps.cipher), None), replayed=True)
            details = self._validate(conn, alliance_id, form)
            if repo.credit_code_taken(conn, alliance_id, details.credit_code):
                raise DuplicateCreditCode(field="credit_code")
            application_id = new_id("app")
            token, token_hash = new_secret_token(alliance_id)
            conn.execute(
                insert(t.applications).values(
                    alliance_id=alliance_id,
                    id=application_id,
                    **repo.application_values(details, application_id, self.deps.cipher),
                    contact_phone_hash=self.deps.lookup.digest(details.contact_phone, scope=alliance_id),
                    status=ApplicationStatus.SUBMITTED.value,
                    applicant_token_hash=token_hash,
                    submitted_at=now,
                    updated_at=now,
                )
            )
            repo.add_status_event(
                conn,
                alliance_id=alliance_id,
                object_type="application",
                object_id=application_id,
                from_status=None,
                to_status="submitted",
                actor_kind="applicant",
                actor_id=application_id,
                reason=None,
                at=now,
            )
            remember_key(
                conn,
                alliance_id=alliance_id,
                scope=scope,
                key=idempotency_key,
                response={"id": application_id},
            )
            application = repo.application_of(
                or_raise(repo.application_row(conn, alliance_id, application_id), ObjectNotFound),
                self.deps.cipher,
            )
            try:
                uow.commit()
            except IntegrityError as exc:  # a concurrent application with the same code
                raise DuplicateCreditCode(field="credit_code") from exc
        return Created(Submitted(application, token))

    def revise(
        self, alliance: str, application_id: str, applicant_token: str, form: ApplicationForm
    ) -> Application:
        """The applicant answers a request for changes; the application goes back to review."""
        now = self.deps.clock.now()
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            alliance_id = or_raise(repo.get_alliance(conn, alliance), AllianceNotFound).id
            row = repo.application_row(conn, alliance_id, application_id, lock=True)
            parts = split_secret_token(applicant_token)
            if row is None or parts is None or parts != (alliance_id, row["applicant_token_hash"]):
                raise InvalidApplicantToken()
            status = next_status(ApplicationStatus(row["status"]), ReviewDecision.RESUBMIT)
            details = self._validate(conn, alliance_id, form)
            if repo.credit_code_taken(conn, alliance_id, details.credit_code, except_id=application_id):
                raise DuplicateCreditCode(field="credit_code")
            conn.execute(
                update(t.applications)
                .where(t.applications.c.alliance_id == alliance_id, t.applications.c.id == application_id)
                .values(
                    **repo.application_values(details, application_id, self.deps.cipher),
                    contact_phone_hash=self.deps.lookup.digest(details.contact_phone, scope=alliance_id),
                    status=status.value,
                    updated_at=now,
                )
            )
            repo.add_status_event(
                conn,
                alliance_id=alliance_id,
                object_type="application",
                object_id=application_id,
                from_status=row["status"],
                to_status=status.value,
                actor_kind="applicant",
                actor_id=application_id,
                reason=None,
                at=now,
            )
            application = repo.application_of(
                or_raise(repo.application_row(conn, alliance_id, application_id), ObjectNotFound),
                self.deps.cipher,
            )
            uow.commit()
        return application

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
        authorize(actor, Perm.APPLICATION_READ, alliance_id=actor.alliance_id)
        authorize(actor, Perm.APPLICATION_REVIEW, alliance_id=actor.alliance_id)
        if decision is ReviewDecision.RESUBMIT:
            raise InvalidInput("Only the applicant resubmits.", field="decision")
        if decision is not ReviewDecision.APPROVE and not (reason or "").strip():
            raise InvalidInput("A reason is required to reject or to ask for changes.", field="reason")
        now = self.deps.clock.now()
        request = {
            "id": application_id,
            "decision": decision.value,
            "reason": reason,
            "owner_login": owner_login,
        }
        with SqlUnitOfWork(self.deps.database) as uow:
            conn = uow.connection
            scope = "alliance.application.review"
            replay = claim_key(
                conn,
                alliance_id=actor.alliance_id,
                scope=scope,
                key=idempotency_key,
                request=request,
                now=now,
            )
            if replay is not None:
                return Created(self._reload(conn, actor.alliance_id, replay), replayed=True)
            row = or_raise(
                repo.application_row(conn, actor.alliance_id, application_id, lock=True), ObjectNotFound
            )
            application = repo.application_of(row, self.deps.cipher)
            status = next_status(application.status, decision)
            approval = Approval(application)
            if status is ApplicationStatus.APPROVED:
                approval = self._create_merchant(
                    conn,
                    actor,
                    application=application,
                    owner_login=owner_login,
                    owner_name=owner_name,
                    now=now,
                )
            conn.execute(
                update(t.applications)
                .where(
                    t.applications.c.alliance_id == actor.alliance_id, t.applications.c.id == application_id
                )
                .values(
                    status=status.value,
                    reason=reason,
                    updated_at=now,
                    merchant_id=approval.merchant.id if approval.merchant else None,
                )
            )
            repo.add_status_event(
                conn,
                alliance_id=actor.alliance_id,
                object_type="application",
                object_id=application_id,
                from_status=application.status.value,
                to_status=status.value,
                actor_kind=actor.kind.value,
                actor_id=actor.id,
                reason=reason,
                at=now,
            )
            record(
                conn,
                actor=actor,
                action=f"application.{decision.value}",
                object_type="application",
                object_id=application_id,
                at=now,
                merchant_id=approval.merchant.id if approval.merchant else None,
                details={"from": application.status.value, "to": status.value},
            )
            response = {
                "application_id": application_id,
                "merchant_id": approval.merchant.id if approval.merchant else None,
                "store_id": approval.store.id if approval.store else None,
                "owner_id": approval.owner.id if approval.owner else None,
            }
            remember_key(
                conn, alliance_id=actor.alliance_id, scope=scope, key=idempotency_key, response=response
            )
            result = self._reload(conn, actor.alliance_id, response)
            uow.commit()
        return Created(
            Approval(
                result.application,
                result.merchant,
                result.store,
                result.owner,
                approval.owner_activation_token,
            )
        )

    def _reload(self, conn: Connection, alliance_id: str, ids: dict[str, str | None]) -> Approval:
        row = or_raise(repo.application_row(conn, alliance_id, str(ids["application_id"])), ObjectNotFound)
        merchant = (
            repo.get_merchant(conn, alliance_id, str(ids["merchant_id"])) if ids.get("merchant_id") else None
        )
        store = repo.get_store(conn, alliance_id, str(ids["store_id"])) if ids.get("store_id") else None
        owner = repo.get_staff(conn, alliance_id, str(ids["owner_id"])) if ids.get("owner_id") else None
        return Approval(repo.application_of(row, self.deps.cipher), merchant, store, owner)

    def _create_merchant(
        self,
        conn: Connection,
        actor: Actor,
        *,
        application: Application,
        owner_login: str | None,
        owner_name: str | None,
        now: datetime,
    ) -> Approval:
        details, alliance_id = application.details, actor.alliance_id
        merchant_id = new_id("mer")
        conn.execute(
            insert(t.merchants).values(
                alliance_id=alliance_id,
                id=merchant_id,
                name=details.business_name,
                category=details.category,
                credit_code=details.credit_code,
                legal_representative=details.legal_representative,
                contact_phone_enc=self.deps.cipher.encrypt(
                    details.contact_phone, context=repo.phone_context("merchant", merchant_id)
                ),
                contact_phone_hash=self.deps.lookup.digest(details.contact_phone, scope=alliance_id),
                status=MerchantStatus.ACTIVE.value,
                application_id=application.id,
                created_at=now,
            )
        )
        repo.add_status_event(
            conn,
            alliance_id=alliance_id,
            object_type="merchant",
            object_id=merchant_id,
            from_status=None,
            to_status="active",
            actor_kind=actor.kind.value,
            actor_id=actor.id,
            reason=None,
            at=now,
        )
        store = Store(
            new_id("sto"),
            alliance_id,
            merchant_id,
            details.store_name,
            details.store_address,
            details.store_coordinates,
            now,
        )
        repo.insert_store(conn, store)
        # The owner signs in with the contact phone (national number) unless the operator chose a login.
        login = check_login(owner_login or details.contact_phone.removeprefix("+86"))
        if repo.login_taken(conn, alliance_id, login):
            raise DuplicateLogin(field="owner_login")
        token, token_hash = new_secret_token(alliance_id)
        owner_id = new_id("stf")
        conn.execute(
            insert(t.staff).values(
                alliance_id=alliance_id,
                id=owner_id,
                merchant_id=merchant_id,
                login=login,
                display_name=owner_name or details.legal_representative,
                role=StaffRole.OWNER.value,
                activation_hash=token_hash,
                activation_expires_at=now + ACTIVATION_TTL,
                created_at=now,
            )
        )
        repo.set_staff_stores(conn, alliance_id, owner_id, [store.id])
        owner = or_raise(repo.get_staff(conn, alliance_id, owner_id), ObjectNotFound)
        merchant = or_raise(repo.get_merchant(conn, alliance_id, merchant_id), ObjectNotFound)
        return Approval(application, merchant, store, owner, token)
