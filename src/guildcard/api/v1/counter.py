"""``/api/v1/counter``: preview, commit, refunds, backfills, manual adjustments.

Thin: parse, hand the actor and the request to ``CounterService``, shape the answer.
Authorization and every rule live in the service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import AwareDatetime

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.api.problems import language_of, status_for
from guildcard.api.v1.counter_schemas import (
    AdjustmentCreate,
    BackfillCreate,
    BackfillDecision,
    BatchError,
    BatchItem,
    BatchResult,
    Preview,
    PurchaseBatch,
    PurchaseCreate,
    Receipt,
    RefundCreate,
    StoreDayOut,
    as_json,
)
from guildcard.counter.commands import Written
from guildcard.counter.domain.errors import CounterForbidden
from guildcard.counter.domain.receipts import RefundRequestReceipt
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.permissions import P
from guildcard.web.i18n import error_message

router = APIRouter(prefix="/api/v1/counter", tags=["counter"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or unknown credential"},
    403: {
        "description": "`counter.forbidden`: not at this store / without this role; "
        "`members.lookup_not_allowed`"
    },
    404: {"description": "`counter.store_not_found`, `counter.purchase_not_found`, `members.not_found`"},
    409: {
        "description": "`counter.order_conflict`, `counter.refund_conflict`, `counter.duplicate_order`, "
        "`counter.preview_stale`, `members.code_already_used`, `idempotency_conflict` (adjustments). "
        "A natural key (order, refund or receipt number) reused with other details is `counter.*`; "
        "`idempotency_conflict` is for the `Idempotency-Key` header only."
    },
    422: {
        "description": "`counter.invalid_amount`, `members.code_invalid`, "
        "`counter.points_exceed_balance`, `counter.points_exceed_cap`, `counter.refund_exceeds_paid`, "
        "`alliance.merchant_suspended`, `counter.backfill_too_old`, `invalid_input`"
    },
}

# The permissions the routes declare (checked before the body, see api/permits.py).
SELLING = [requires(P.COUNTER_SELL, CounterForbidden)]
DECIDING = [requires(P.BACKFILL_DECIDE, CounterForbidden)]


def _answer(written: Written[Any], response: Response) -> Receipt:
    response.status_code = 200 if written.replayed else 201
    return Receipt.of(written.receipt, replayed=written.replayed)


@router.post(
    "/previews",
    response_model=Preview,
    responses=ERRORS,
    summary="Preview a purchase",
    dependencies=SELLING,
)
def preview(body: PurchaseCreate, actor: CurrentActor, container: ContainerDep) -> Preview:
    """Member (masked), discount, points to earn explained, what points may pay. No side effects."""
    return Preview.of(container.counter.preview(actor, body.to_input()))


@router.post(
    "/purchases",
    response_model=Receipt,
    status_code=201,
    responses=ERRORS,
    summary="Commit a purchase",
    dependencies=SELLING,
)
def commit(body: PurchaseCreate, actor: CurrentActor, container: ContainerDep, response: Response) -> Receipt:
    """One transaction: spend the points used, award points on the cash part, add growth, record the purchase.

    Idempotent on (merchant, `order_no`): a retry returns the same receipt (200, `replayed`); another body
    with the same order number is `counter.order_conflict`.
    """
    return _answer(container.counter.commit(actor, body.to_input()), response)


@router.post(
    "/purchases:batch",
    response_model=BatchResult,
    responses=ERRORS,
    summary="Commit many purchases",
    dependencies=SELLING,
)
def commit_batch(
    body: PurchaseBatch, actor: CurrentActor, container: ContainerDep, request: Request
) -> BatchResult:
    """Up to 500 purchases in one transaction, e.g. a POS uploading the sales it queued while offline.

    Each purchase is idempotent on its order number, exactly as `POST /purchases`: send the batch again
    and every purchase already recorded answers `replayed`. One that fails (an expired member code, an
    order number used for another purchase) records nothing and answers `failed` with its error; the
    others are recorded. The answer is 200 whatever the outcomes; look at each result.
    """
    language = language_of(request)
    written = container.counter.commit_many(actor, [p.to_input() for p in body.purchases])
    results = [
        _batch_item(i, p.order_no, w, language)
        for i, (p, w) in enumerate(zip(body.purchases, written, strict=True))
    ]
    outcomes = [r.outcome for r in results]
    return BatchResult(
        results=results, created=outcomes.count("created"), replayed=outcomes.count("replayed"),
        failed=outcomes.count("failed"),
    )  # fmt: skip


def _batch_item(
    index: int, order_no: str, written: Written[Any] | GuildCardError, language: str
) -> BatchItem:
    if isinstance(written, GuildCardError):
        detail = error_message(written, language)
        error = BatchError(code=written.code, status=status_for(written), detail=detail)
        return BatchItem(index=index, order_no=order_no, outcome="failed", receipt=None, error=error)
    receipt = as_json(written.receipt)
    if written.replayed:
        return BatchItem(index=index, order_no=order_no, outcome="replayed", receipt=receipt, error=None)
    return BatchItem(index=index, order_no=order_no, outcome="created", receipt=receipt, error=None)


@router.get("/purchases/{order_no}", response_model=Receipt, responses=ERRORS, summary="A purchase's receipt")
def get_purchase(
    order_no: str,
    store_id: Annotated[str, Query(max_length=40)],
    actor: CurrentActor,
    container: ContainerDep,
) -> Receipt:
    return Receipt.of(container.counter.purchase(actor, store_id=store_id, order_no=order_no), replayed=False)


@router.get(
    "/stores/{store_id}/day", response_model=StoreDayOut, responses=ERRORS, summary="Today at a store"
)
def store_day(
    store_id: str,
    actor: CurrentActor,
    container: ContainerDep,
    since: Annotated[AwareDatetime | None, Query(description="A shift start today (ISO 8601).")] = None,
    mine: Annotated[bool, Query(description="Only what the caller recorded.")] = False,
) -> StoreDayOut:
    """Today's (Asia/Shanghai) purchases, backfills and refunds at the store until now, in time order,
    and the shift summary; the member is masked as on the receipt. Whoever may work the store's counter."""
    return StoreDayOut.of(container.counter.store_day(actor, store_id=store_id, since=since, mine=mine))


@router.post(
    "/refunds",
    response_model=Receipt,
    status_code=201,
    responses=ERRORS,
    summary="Refund a purchase",
    dependencies=SELLING,
)
def refund(body: RefundCreate, actor: CurrentActor, container: ContainerDep, response: Response) -> Receipt:
    """Whole or partial, by order number; reverses points, points used and growth in proportion.

    Idempotent on (merchant, `refund_no`); the same number with other details is `counter.refund_conflict`.
    When a POS key's (or cashier's) refund would take the member below zero because the points were
    already spent, nothing is refunded: the answer is **202** with a refund request (`request_id`,
    `status: pending`, `shortfall_points`) that the owner or a manager decides on
    (`/api/v1/counter/refund-requests`); asking again with the same `refund_no` answers the request,
    and once approved, the refund.
    """
    written = container.counter.refund_or_ask(actor, body.to_input())
    answer = _answer(written, response)
    if isinstance(written.receipt, RefundRequestReceipt):
        response.status_code = 202
    return answer


@router.post(
    "/backfills",
    response_model=Receipt,
    status_code=201,
    responses=ERRORS,
    summary="Backfill (补录)",
    dependencies=SELLING,
)
def backfill(
    body: BackfillCreate, actor: CurrentActor, container: ContainerDep, response: Response
) -> Receipt:
    """Record an earlier purchase from its receipt: at once, or `needs_approval` above the limit."""
    return _answer(container.counter.backfill(actor, body.to_input()), response)


@router.post(
    "/backfills/{backfill_id}/approve",
    response_model=Receipt,
    responses=ERRORS,
    dependencies=DECIDING,
)
def approve_backfill(
    backfill_id: str, body: BackfillDecision, actor: CurrentActor, container: ContainerDep
) -> Receipt:
    """The merchant owner approves: the purchase is recorded and earns."""
    written = container.counter.decide_backfill(actor, backfill_id, approve=True, note=body.note)
    return Receipt.of(written.receipt, replayed=written.replayed)


@router.post(
    "/backfills/{backfill_id}/reject",
    response_model=Receipt,
    responses=ERRORS,
    dependencies=DECIDING,
)
def reject_backfill(
    backfill_id: str, body: BackfillDecision, actor: CurrentActor, container: ContainerDep
) -> Receipt:
    written = container.counter.decide_backfill(actor, backfill_id, approve=False, note=body.note)
    return Receipt.of(written.receipt, replayed=written.replayed)


@router.post(
    "/adjustments",
    response_model=Receipt,
    status_code=201,
    responses=ERRORS,
    dependencies=[requires(P.POINTS_ADJUST, CounterForbidden)],
)
def adjust(
    body: AdjustmentCreate,
    actor: CurrentActor,
    container: ContainerDep,
    response: Response,
    idempotency_key: Annotated[str, Header(min_length=1, max_length=128)],
) -> Receipt:
    """Operators (admin, finance) grant or take back points by hand, with a reason; audited.
    The `Idempotency-Key` header is required."""
    return _answer(
        container.counter.adjust(actor, body.to_input(), idempotency_key=idempotency_key), response
    )
