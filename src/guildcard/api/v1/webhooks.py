"""Webhooks over the API: the event catalogue, subscriptions, their deliveries, replay."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, JsonValue, StrictBool

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.api.v1.alliance_common import PROBLEMS, IdempotencyKey, mark_replay
from guildcard.automation.domain.catalogue import CATALOGUE
from guildcard.automation.handlers.webhooks import (
    CreateSubscription,
    ReplayDelivery,
    RotateSecret,
    SetSubscriptionStatus,
)
from guildcard.automation.queries import webhooks as queries
from guildcard.automation.queries.webhooks import Delivery, Subscription
from guildcard.kernel.permissions import P

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], responses=PROBLEMS)


class EventTypeRead(BaseModel):
    name: str
    version: int
    description: str
    merchant_scoped: bool
    schema_: dict[str, Any] = Field(alias="schema", serialization_alias="schema")


_EVENT_NAMES: list[JsonValue] = [*sorted(CATALOGUE)]  # the catalogue's names, for the schema


class SubscriptionCreate(BaseModel):
    url: str = Field(
        max_length=2000,
        json_schema_extra={"pattern": r"^https://[^\s/?#]+"},  # enforced by the handler: its own code
        examples=["https://pos.example.com/guildcard/webhooks"],
    )
    event_types: list[str] = Field(
        min_length=1,
        max_length=50,
        json_schema_extra={"items": {"type": "string", "enum": _EVENT_NAMES}},
    )
    merchant_id: str | None = Field(default=None, max_length=40, description="None: the alliance's own.")
    description: str = Field(default="", max_length=200)


class SubscriptionRead(BaseModel):
    id: str
    merchant_id: str | None
    url: str
    description: str
    event_types: list[str]
    status: str
    disabled_reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionRead:
        return cls(
            id=s.id, merchant_id=s.merchant_id, url=s.url, description=s.description,
            event_types=list(s.event_types), status=s.status.value, disabled_reason=s.disabled_reason,
            created_at=s.created_at,
        )  # fmt: skip


class SubscriptionWithSecret(SubscriptionRead):
    secret: str = Field(description="The `whsec_` signing secret: verify `webhook-signature` with it.")


class StatusChange(BaseModel):
    active: StrictBool


class DeliveryRead(BaseModel):
    id: str = Field(description="Also the message's `webhook-id`.")
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, d: Delivery) -> DeliveryRead:
        return cls(
            id=d.id, event_id=d.event_id, event_type=d.event_type, status=d.status.value, attempts=d.attempts,
            next_attempt_at=d.next_attempt_at, last_status_code=d.last_status_code, last_error=d.last_error,
            delivered_at=d.delivered_at, created_at=d.created_at,
        )  # fmt: skip


def _with_secret(s: Subscription) -> SubscriptionWithSecret:
    return SubscriptionWithSecret(**SubscriptionRead.of(s).model_dump(), secret=s.secret)


@router.get("/event-types", response_model=list[EventTypeRead], response_model_by_alias=True)
def event_types() -> list[EventTypeRead]:
    """The event catalogue: every event a subscription may receive, versioned, with its JSON Schema.

    Every message is signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
    `webhook-signature`); retries follow 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    """
    return [
        EventTypeRead(
            name=t.name,
            version=t.version,
            description=t.description,
            merchant_scoped=t.merchant_scoped,
            schema=t.schema(),
        )
        for t in CATALOGUE.values()
    ]


@router.get("/subscriptions", response_model=list[SubscriptionRead])
def list_subscriptions(
    actor: CurrentActor,
    container: ContainerDep,
    merchant_id: Annotated[str | None, Query(max_length=40)] = None,
) -> list[SubscriptionRead]:
    """The alliance's endpoints (operators), or one merchant's (its owner and managers, operators)."""
    with container.database.read() as conn:
        return [SubscriptionRead.of(s) for s in queries.subscriptions(conn, actor, merchant_id=merchant_id)]


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=SubscriptionWithSecret,
    dependencies=[requires(P.WEBHOOK_MANAGE)],
)
def create_subscription(
    body: SubscriptionCreate,
    actor: CurrentActor,
    container: ContainerDep,
    response: Response,
    key: IdempotencyKey = None,
) -> SubscriptionWithSecret:
    """Alliance admins for the alliance's endpoints; a merchant's owner for its own (its events only)."""
    command = CreateSubscription(
        url=body.url, event_types=tuple(body.event_types), merchant_id=body.merchant_id,
        description=body.description, idempotency_key=key,
    )  # fmt: skip
    outcome = container.bus.execute(actor, command)
    mark_replay(response, outcome.replayed)
    return _with_secret(outcome.value)


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionRead)
def get_subscription(subscription_id: str, actor: CurrentActor, container: ContainerDep) -> SubscriptionRead:
    with container.database.read() as conn:
        return SubscriptionRead.of(queries.subscription(conn, actor, subscription_id))


@router.post(
    "/subscriptions/{subscription_id}/rotate-secret",
    response_model=SubscriptionWithSecret,
    dependencies=[requires(P.WEBHOOK_MANAGE)],
)
def rotate_secret(
    subscription_id: str, actor: CurrentActor, container: ContainerDep, key: IdempotencyKey = None
) -> SubscriptionWithSecret:
    """A new secret; the old one keeps signing beside it for 24 hours."""
    outcome = container.bus.execute(actor, RotateSecret(subscription_id=subscription_id, idempotency_key=key))
    return _with_secret(outcome.value)


@router.put(
    "/subscriptions/{subscription_id}/status",
    response_model=SubscriptionRead,
    dependencies=[requires(P.WEBHOOK_MANAGE)],
)
def set_status(
    subscription_id: str, body: StatusChange, actor: CurrentActor, container: ContainerDep
) -> SubscriptionRead:
    """Enable (e.g. after an automatic disable) or disable an endpoint."""
    command = SetSubscriptionStatus(subscription_id=subscription_id, active=body.active)
    return SubscriptionRead.of(container.bus.execute(actor, command).value)


@router.get("/subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryRead])
def list_deliveries(
    subscription_id: str, actor: CurrentActor, container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryRead]:  # fmt: skip
    """The delivery log, newest first: status, attempts, the last response code or error."""
    with container.database.read() as conn:
        return [DeliveryRead.of(d) for d in queries.deliveries(conn, actor, subscription_id, limit=limit)]


@router.post(
    "/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=DeliveryRead,
    dependencies=[requires(P.WEBHOOK_MANAGE)],
)
def replay(delivery_id: str, actor: CurrentActor, container: ContainerDep) -> DeliveryRead:
    """Send a delivery again (same `webhook-id`), e.g. after the receiver was fixed."""
    return DeliveryRead.of(container.bus.execute(actor, ReplayDelivery(delivery_id=delivery_id)).value)
