"""``/api/v1/counter/refund-requests``: refunds of spent points waiting for the owner or a manager.

A POS key's or cashier's refund that would take the member below zero answers 202 with a request
(``POST /api/v1/counter/refunds``); here the key reads it back, and the owner or a manager lists and
decides (issue 12 item 6). Thin: every rule lives in ``CounterService``.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.api.v1.counter import ERRORS
from guildcard.api.v1.counter_schemas import Reason, Receipt
from guildcard.counter.domain.errors import CounterForbidden
from guildcard.counter.domain.refunds import SettleAs
from guildcard.kernel.permissions import P

router = APIRouter(prefix="/api/v1/counter/refund-requests", tags=["counter"])
# Deciding is the owner's or a manager's: declared so a cashier or key is refused before its body is read.
DECIDING = [requires(P.REFUND_DECIDE, CounterForbidden)]


class RefundRequestList(BaseModel):
    requests: list[Receipt]


class RefundApproval(BaseModel):
    settle_as: Literal["below_zero", "cash_minus_points"] = Field(
        default="below_zero",
        description="`below_zero`: the balance goes below zero within the alliance's limit; "
        "`cash_minus_points` (where the alliance allows it): the member keeps the spent points and "
        "their value is kept from the cash.",
    )
    note: Reason | None = None


class RefundRejection(BaseModel):
    note: Reason | None = None


@router.get("", response_model=RefundRequestList, responses=ERRORS, summary="Refunds waiting for approval")
def pending(actor: CurrentActor, container: ContainerDep) -> RefundRequestList:
    """The caller's merchant's pending requests, oldest first (owner and managers; others see none)."""
    merchant_id = actor.merchant_id or ""
    found = container.counter.refund_requests(actor, merchant_id=merchant_id)
    return RefundRequestList(requests=[Receipt.of(r, replayed=False) for r in found])


@router.get("/{request_id}", response_model=Receipt, responses=ERRORS, summary="A refund request")
def one(request_id: str, actor: CurrentActor, container: ContainerDep) -> Receipt:
    """For the key or cashier that asked, and the merchant's owner and managers."""
    return Receipt.of(container.counter.refund_request(actor, request_id), replayed=False)


@router.post(
    "/{request_id}/approve",
    response_model=Receipt,
    responses=ERRORS,
    dependencies=DECIDING,
    summary="Approve a refund",
)
def approve(request_id: str, body: RefundApproval, actor: CurrentActor, container: ContainerDep) -> Receipt:
    """The owner or a manager approves: the refund is recorded under the request's refund number."""
    written = container.counter.decide_refund(
        actor, request_id, approve=True, settle_as=SettleAs(body.settle_as), note=body.note
    )
    return Receipt.of(written.receipt, replayed=written.replayed)


@router.post(
    "/{request_id}/reject",
    response_model=Receipt,
    responses=ERRORS,
    dependencies=DECIDING,
    summary="Reject a refund",
)
def reject(request_id: str, body: RefundRejection, actor: CurrentActor, container: ContainerDep) -> Receipt:
    written = container.counter.decide_refund(actor, request_id, approve=False, note=body.note)
    return Receipt.of(written.receipt, replayed=written.replayed)
