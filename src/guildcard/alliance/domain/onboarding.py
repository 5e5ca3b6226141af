"""Merchant applications (入驻申请) and their review: a small state machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from guildcard.alliance.domain.errors import InvalidTransition
from guildcard.alliance.domain.model import Coordinates


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    RESUBMIT = "resubmit"  # the applicant's answer to a request for changes


_NEXT: dict[tuple[ApplicationStatus, ReviewDecision], ApplicationStatus] = {
    (ApplicationStatus.SUBMITTED, ReviewDecision.APPROVE): ApplicationStatus.APPROVED,
    (ApplicationStatus.SUBMITTED, ReviewDecision.REJECT): ApplicationStatus.REJECTED,
    (ApplicationStatus.SUBMITTED, ReviewDecision.REQUEST_CHANGES): ApplicationStatus.CHANGES_REQUESTED,
    (ApplicationStatus.CHANGES_REQUESTED, ReviewDecision.REJECT): ApplicationStatus.REJECTED,
    (ApplicationStatus.CHANGES_REQUESTED, ReviewDecision.RESUBMIT): ApplicationStatus.SUBMITTED,
}

# Open and approved applications hold their credit code; a rejected one frees it.
HOLDS_CREDIT_CODE = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.CHANGES_REQUESTED, ApplicationStatus.APPROVED}
)


def next_status(current: ApplicationStatus, decision: ReviewDecision) -> ApplicationStatus:
    try:
        return _NEXT[(current, decision)]
    except KeyError:
        raise InvalidTransition(
            f"an application that is {current.value} cannot take '{decision.value}'",
            current_status=current.value,
            decision=decision.value,
        ) from None


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
class ApplicationDetails:
    """What the applicant fills in; validated before it is stored."""

    business_name: str
    category: str
    credit_code: str
    legal_representative: str
    contact_phone: str  # E.164, stored encrypted
    store_name: str
    store_address: str
    store_coordinates: Coordinates


@dataclass(frozen=True)
class Application:
    id: str
    alliance_id: str
    details: ApplicationDetails
    status: ApplicationStatus
    reason: str | None
    merchant_id: str | None
    submitted_at: datetime
    updated_at: datetime
