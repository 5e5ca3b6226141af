"""Merchant onboarding (入驻): a public application, the operators' review, and approval.

Approval admits the merchant with its first store and an owner account in one transaction. The
owner has no password yet: the approval answers a one-time activation token (valid 7 days).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import IntegrityError

from guildcard.alliance.domain.access import Perm
from guildcard.alliance.domain.credit_code import normalize_credit_code
from guildcard.alliance.domain.errors import (
    DuplicateCreditCode,
    InvalidApplicantToken,
    ObjectNotFound,
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
    ApplicationForm,
    ApplicationStatus,
    ReviewDecision,
    next_status,
)
from guildcard.alliance.domain.tokens import new_secret_token, split_secret_token
from guildcard.alliance.domain.validation import check_login, required_text
from guildcard.alliance.handlers.common import alliance_may, deps, handlers, or_raise
from guildcard.alliance.handlers.staff import add_staff_account
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work, versions
from guildcard.privacy.phones import normalize_phone


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


def _validate(conn: Connection, alliance_id: str, form: ApplicationForm) -> ApplicationDetails:
    category = form.category.strip()
    if category not in {c.code for c in repo.categories(conn, alliance_id, active_only=True)}:
        raise UnknownTradeCategory(field="category", category=category)
    return ApplicationDetails(
        business_name=required_text(form.business_name, "business_name", 100),
        category=category,
        credit_code=normalize_credit_code(form.credit_code),
        legal_representative=required_text(form.legal_representative, "legal_representative", 50),
        contact_phone=normalize_phone(form.contact_phone),
        store_name=required_text(form.store_name, "store_name", 100),
        store_address=required_text(form.store_address, "store_address", 200),
        store_coordinates=Coordinates.parse(form.store_latitude, form.store_longitude),
    )


def _application(work: Work, application_id: str, *, lock: bool = False) -> Application:
    row = repo.application_row(work.connection, work.alliance_id, application_id, lock=lock)
    row = or_raise(row, ObjectNotFound)
    return repo.application_of(row, deps(work).cipher)


# --- the applicant (no account; the façade names the alliance) ----------------------------------


@dataclass(frozen=True, kw_only=True)
class SubmitApplication(Command):
    scope = "alliance.application.submit"
    form: ApplicationForm

    def identity(self) -> Mapping[str, Any]:
        return dataclasses.asdict(self.form)


def _reload_submitted(stored: Any, work: Work) -> Submitted:
    return Submitted(_application(work, stored["id"]), None)  # the applicant token was shown once


@handlers.register(remember=lambda s: {"id": s.application.id}, replay=_reload_submitted)
def submit_application(command: SubmitApplication, work: Work) -> Submitted:
    conn, alliance_id, now = work.connection, work.alliance_id, work.now
    details = _validate(conn, alliance_id, command.form)
    if repo.credit_code_taken(conn, alliance_id, details.credit_code):
        raise DuplicateCreditCode(field="credit_code")
    application_id = new_id("app")
    token, token_hash = new_secret_token(alliance_id)
    try:
        conn.execute(
            insert(t.applications).values(
                alliance_id=alliance_id,
                id=application_id,
                **repo.application_values(details, application_id, deps(work).cipher),
                contact_phone_hash=deps(work).lookup.digest(details.contact_phone, scope=alliance_id),
                status=ApplicationStatus.SUBMITTED.value,
                applicant_token_hash=token_hash,
                submitted_at=now,
                updated_at=now,
            )
        )
    except IntegrityError as exc:  # a concurrent application with the same code
        raise DuplicateCreditCode(field="credit_code") from exc
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
    work.emit("alliance.application_submitted", application_id, status=ApplicationStatus.SUBMITTED.value)
    return Submitted(_application(work, application_id), token)


@dataclass(frozen=True, kw_only=True)
class ReviseApplication(Command):
    scope = "alliance.application.revise"
    application_id: str
    applicant_token: str = dataclasses.field(repr=False)
    form: ApplicationForm


@handlers.register()
def revise_application(command: ReviseApplication, work: Work) -> Application:
    """The applicant answers a request for changes; the application goes back to review."""
    conn, alliance_id, now = work.connection, work.alliance_id, work.now
    application_id = command.application_id
    row = repo.application_row(conn, alliance_id, application_id, lock=True)
    parts = split_secret_token(command.applicant_token)
    if row is None or parts is None or parts != (alliance_id, row["applicant_token_hash"]):
        raise InvalidApplicantToken()
    status = next_status(ApplicationStatus(row["status"]), ReviewDecision.RESUBMIT)
    details = _validate(conn, alliance_id, command.form)
    if repo.credit_code_taken(conn, alliance_id, details.credit_code, except_id=application_id):
        raise DuplicateCreditCode(field="credit_code")
    conn.execute(
        update(t.applications)
        .where(t.applications.c.alliance_id == alliance_id, t.applications.c.id == application_id)
        .values(
            **repo.application_values(details, application_id, deps(work).cipher),
            contact_phone_hash=deps(work).lookup.digest(details.contact_phone, scope=alliance_id),
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
    work.emit("alliance.application_resubmitted", application_id, status=status.value)
    return _application(work, application_id)


# --- the operators' review ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReviewApplication(Command):
    scope = "alliance.application.review"
    application_id: str
    decision: ReviewDecision
    reason: str | None = None
    owner_login: str | None = None
    owner_name: str | None = None


def _ids(approval: Approval) -> dict[str, str | None]:
    """What a review's idempotency record keeps: the ids its replay reloads (never the token)."""
    return {
        "application_id": approval.application.id,
        "merchant_id": approval.merchant.id if approval.merchant else None,
        "store_id": approval.store.id if approval.store else None,
        "owner_id": approval.owner.id if approval.owner else None,
    }


def _reload_approval(ids: Any, work: Work) -> Approval:
    conn, alliance_id = work.connection, work.alliance_id
    merchant = repo.get_merchant(conn, alliance_id, ids["merchant_id"]) if ids.get("merchant_id") else None
    store = repo.get_store(conn, alliance_id, ids["store_id"]) if ids.get("store_id") else None
    owner = repo.get_staff(conn, alliance_id, ids["owner_id"]) if ids.get("owner_id") else None
    return Approval(_application(work, ids["application_id"]), merchant, store, owner)


@handlers.register(
    authorize=alliance_may(Perm.APPLICATION_READ, Perm.APPLICATION_REVIEW),
    remember=_ids,
    replay=_reload_approval,
)
def review_application(command: ReviewApplication, work: Work) -> Approval:
    """Approve, reject (reason required) or ask for changes (reason required)."""
    decision, reason, now = command.decision, command.reason, work.now
    if decision is ReviewDecision.RESUBMIT:
        raise InvalidInput("Only the applicant resubmits.", field="decision")
    if decision is not ReviewDecision.APPROVE and not (reason or "").strip():
        raise InvalidInput("A reason is required to reject or to ask for changes.", field="reason")
    conn, alliance_id, application_id = work.connection, work.alliance_id, command.application_id
    application = _application(work, application_id, lock=True)
    status = next_status(application.status, decision)
    approval = Approval(application)
    if status is ApplicationStatus.APPROVED:
        approval = _admit(command, work, application)
    merchant_id = approval.merchant.id if approval.merchant else None
    conn.execute(
        update(t.applications)
        .where(t.applications.c.alliance_id == alliance_id, t.applications.c.id == application_id)
        .values(status=status.value, reason=reason, updated_at=now, merchant_id=merchant_id)
    )
    repo.add_status_event(
        conn,
        alliance_id=alliance_id,
        object_type="application",
        object_id=application_id,
        from_status=application.status.value,
        to_status=status.value,
        actor_kind=work.actor.kind.value,
        actor_id=work.actor.id,
        reason=reason,
        at=now,
    )
    work.audit(
        f"application.{decision.value}",
        object_type="application",
        object_id=application_id,
        merchant_id=merchant_id,
        details={"from": application.status.value, "to": status.value},
    )
    work.emit("alliance.application_reviewed", application_id, status=status.value, merchant_id=merchant_id)
    reloaded = _reload_approval(_ids(approval), work)
    return dataclasses.replace(reloaded, owner_activation_token=approval.owner_activation_token)


def _admit(command: ReviewApplication, work: Work, application: Application) -> Approval:
    """The approved applicant becomes an active merchant with its first store and its owner."""
    conn, alliance_id, now, actor = work.connection, work.alliance_id, work.now, work.actor
    details, cipher = application.details, deps(work).cipher
    merchant_id = new_id("mer")
    conn.execute(
        insert(t.merchants).values(
            alliance_id=alliance_id,
            id=merchant_id,
            name=details.business_name,
            category=details.category,
            credit_code=details.credit_code,
            legal_representative=details.legal_representative,
            contact_phone_enc=cipher.encrypt(
                details.contact_phone, context=repo.phone_context("merchant", merchant_id)
            ),
            contact_phone_hash=deps(work).lookup.digest(details.contact_phone, scope=alliance_id),
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
    # The counter reads merchant status with the terms: a new active merchant changes them.
    versions.bump(conn, alliance_id, versions.Topic.TERMS)
    work.emit(
        "alliance.merchant_admitted",
        merchant_id,
        application_id=application.id,
        status=MerchantStatus.ACTIVE.value,
    )
    work.emit("alliance.store_created", store.id, merchant_id=merchant_id)
    # The owner signs in with the contact phone (national number) unless the operator chose a login.
    login = check_login(command.owner_login or details.contact_phone.removeprefix("+86"))
    owner_id, token = add_staff_account(
        work, merchant_id=merchant_id, login=login,
        display_name=command.owner_name or details.legal_representative, role=StaffRole.OWNER,
        store_ids=[store.id], login_field="owner_login",
    )  # fmt: skip
    owner = or_raise(repo.get_staff(conn, alliance_id, owner_id), ObjectNotFound)
    merchant = or_raise(repo.get_merchant(conn, alliance_id, merchant_id), ObjectNotFound)
    return Approval(application, merchant, store, owner, token)
