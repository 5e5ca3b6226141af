"""``/api/v1/counter``: preview, commit, refunds, backfills, manual adjustments.

Thin: parse, hand the actor and the request to ``CounterService``, shape the answer.
Authorization and every rule live in the service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.v1.counter_schemas import (
    AdjustmentCreate,
    BackfillCreate,
    BackfillDecision,
    Preview,
    PurchaseCreate,
    Receipt,
    RefundCreate,
)
from guildcard.counter.commands import Written
from guildcard.kernel.errors import InvalidInput

router = APIRouter(prefix="/api/v1/counter", tags=["counter"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or unknown credential"},
    403: {
        "description": "`counter.forbidden`: not at this store / without this role; "
        "`members.lookup_not_allowed`"
    },
    404: {"description": "`counter.store_not_found`, `counter.purchase_not_found`, `members.not_found`"},
    409: {
        "description": "`counter.order_conflict`, `counter.duplicate_order`, `counter.preview_stale`, "
        "`members.code_already_used`"
    },
    422: {
        "description": "`counter.invalid_amount`, `members.code_invalid`, "
        "`counter.points_exceed_balance`, `counter.points_exceed_cap`, `counter.refund_exceeds_paid`, "
        "`alliance.merchant_suspended`, `counter.backfill_too_old`, `invalid_input`"
    },
}


def _answer(written: Written[Any], response: Response) -> Receipt:
    response.status_code = 200 if written.replayed else 201
    return Receipt.of(written.receipt, replayed=written.replayed)


@router.post("/previews", response_model=Preview, responses=ERRORS, summary="Preview a purchase")
def preview(body: PurchaseCreate, actor: CurrentActor, container: ContainerDep) -> Preview:
    """Member (masked), discount, points to earn explained, what points may pay. No side effects."""
    return Preview.of(container.counter.preview(actor, body.to_input()))


@router.post(
    "/purchases", response_model=Receipt, status_code=201, responses=ERRORS, summary="Commit a purchase"
)
def commit(body: PurchaseCreate, actor: CurrentActor, container: ContainerDep, response: Response) -> Receipt:
    """One transaction: spend the points used, award points on the cash part, add growth, record the purchase.

    Idempotent on (merchant, `order_no`): a retry returns the same receipt (200, `replayed`); another body
    with the same order number is `counter.order_conflict`.
    """
    return _answer(container.counter.commit(actor, body.to_input()), response)


@router.get("/purchases/{order_no}", response_model=Receipt, responses=ERRORS, summary="A purchase's receipt")
def get_purchase(
    order_no: str,
    store_id: Annotated[str, Query(max_length=40)],
    actor: CurrentActor,
    container: ContainerDep,
) -> Receipt:
    return Receipt.of(container.counter.purchase(actor, store_id=store_id, order_no=order_no), replayed=False)


@router.post(
    "/refunds", response_model=Receipt, status_code=201, responses=ERRORS, summary="Refund a purchase"
)
def refund(body: RefundCreate, actor: CurrentActor, container: ContainerDep, response: Response) -> Receipt:
    """Whole or partial, by order number; reverses points, points used and growth in proportion.

    Idempotent on (merchant, `refund_no`).
    """
    return _answer(container.counter.refund(actor, body.to_input()), response)


@router.post(
    "/backfills", response_model=Receipt, status_code=201, responses=ERRORS, summary="Backfill (补录)"
)
def backfill(
    body: BackfillCreate, actor: CurrentActor, container: ContainerDep, response: Response
) -> Receipt:
    """Record an earlier purchase from its receipt: at once, or `needs_approval` above the limit."""
    return _answer(container.counter.backfill(actor, body.to_input()), response)


@router.post("/backfills/{backfill_id}/approve", response_model=Receipt, responses=ERRORS)
def approve_backfill(
    backfill_id: str, body: BackfillDecision, actor: CurrentActor, container: ContainerDep
) -> Receipt:
    """The merchant owner approves: the purchase is recorded and earns."""
    written = container.counter.decide_backfill(actor, backfill_id, approve=True, note=body.note)
    return Receipt.of(written.receipt, replayed=written.replayed)


@router.post("/backfills/{backfill_id}/reject", response_model=Receipt, responses=ERRORS)
def reject_backfill(
    backfill_id: str, body: BackfillDecision, actor: CurrentActor, container: ContainerDep
) -> Receipt:
    written = container.counter.decide_backfill(actor, backfill_id, approve=False, note=body.note)
    return Receipt.of(written.receipt, replayed=written.replayed)


@router.post("/adjustments", response_model=Receipt, status_code=201, responses=ERRORS)
def adjust(
    body: AdjustmentCreate,
    actor: CurrentActor,
    container: ContainerDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> Receipt:
    """Operators (admin, finance) grant or take back points by hand, with a reason; audited."""
    if not idempotency_key:
        raise InvalidInput("An Idempotency-Key header is required.", field="Idempotency-Key")
    return _answer(
        container.counter.adjust(actor, body.to_input(), idempotency_key=idempotency_key), response
    )
