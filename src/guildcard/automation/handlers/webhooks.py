"""Webhook commands: subscriptions (create, rotate the secret, enable/disable), the fan-out of
events into deliveries, a worker's claim of due deliveries, the outcome of an attempt, replay."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from guildcard.automation.domain import catalogue
from guildcard.automation.domain import webhooks as rules
from guildcard.automation.domain.webhooks import DeliveryStatus, SubscriptionStatus, UnknownEventType
from guildcard.automation.handlers import sealing
from guildcard.automation.handlers.base import deps_of, handlers, may_manage_webhooks, only_the_system
from guildcard.automation.storage.webhooks import Delivery, Subscription, WebhookRepository
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import NotFound
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work
from guildcard.pipeline.outbox import StoredEvent

LEASE = timedelta(seconds=60)


class SubscriptionNotFound(NotFound):
    """No such webhook subscription."""

    code = "automation.subscription_not_found"


class DeliveryNotFound(NotFound):
    """No such webhook delivery."""

    code = "automation.delivery_not_found"


def _repo(work: Work) -> WebhookRepository:
    return WebhookRepository(work.connection, work.alliance_id)


def _owned(work: Work, subscription_id: str) -> Subscription:
    """The subscription, if this actor may manage it (a merchant sees only its own)."""
    sub = _repo(work).subscription(subscription_id)
    if sub is None:
        raise SubscriptionNotFound()
    if not work.actor.is_operator("admin") and sub.merchant_id != work.actor.merchant_id:
        raise SubscriptionNotFound()
    may_manage_webhooks(work.actor, sub.merchant_id)
    return sub


# --- subscriptions ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateSubscription(Command):
    scope = "automation.webhook_create"
    url: str
    event_types: tuple[str, ...]
    merchant_id: str | None = None  # None: the alliance's own endpoint
    description: str = ""


def _may_create(actor: Actor, command: CreateSubscription) -> None:
    may_manage_webhooks(actor, command.merchant_id)


def _remember(sub: Subscription) -> dict[str, str]:
    """What an idempotent replay keeps: the id only, never the secret in clear."""
    return {"subscription_id": sub.id}


def _replay(stored: dict[str, str], work: Work) -> Subscription:
    """A replay answers with the subscription's current secret, opened from its sealed row."""
    sub = _repo(work).subscription(stored["subscription_id"])
    if sub is None:  # pragma: no cover - subscriptions are never deleted
        raise SubscriptionNotFound()
    return replace(sealing.opened(work, sub), previous_secret=None)


@handlers.register(authorize=_may_create, remember=_remember, replay=_replay)
def create_subscription(command: CreateSubscription, work: Work) -> Subscription:
    url = rules.check_endpoint(command.url, allow_local_http=deps_of(work).allow_local_http)
    unknown = [t for t in command.event_types if t not in catalogue.CATALOGUE]
    if unknown or not command.event_types:
        raise UnknownEventType(field="event_types")
    sub = Subscription(
        new_id("whk"), command.merchant_id, url, command.description.strip()[:200],
        tuple(dict.fromkeys(command.event_types)), rules.new_secret(), None, None,
        SubscriptionStatus.ACTIVE, None, None, work.now,
    )  # fmt: skip
    _repo(work).add_subscription(
        replace(sub, secret=sealing.seal(work, sub.id, sub.secret)), by=work.actor.id
    )
    work.audit(
        "automation.webhook_create", object_type="webhook_subscription", object_id=sub.id,
        merchant_id=sub.merchant_id, details={"url": url, "event_types": list(sub.event_types)},
    )  # fmt: skip
    return sub


@dataclass(frozen=True, kw_only=True)
class RotateSecret(Command):
    scope = "automation.webhook_rotate"
    subscription_id: str


@handlers.register(remember=_remember, replay=_replay)
def rotate_secret(command: RotateSecret, work: Work) -> Subscription:
    """A new secret signs from now on; the old one signs alongside it for a day."""
    sub = _owned(work, command.subscription_id)
    secret, until = rules.new_secret(), work.now + rules.ROTATION_OVERLAP
    previous = sealing.seal(work, sub.id, sealing.open_secret(work, sub.id, sub.secret))
    _repo(work).update_subscription(
        sub.id, now=work.now, secret=sealing.seal(work, sub.id, secret), previous_secret=previous,
        previous_until=until,
    )  # fmt: skip
    work.audit(
        "automation.webhook_rotate", object_type="webhook_subscription", object_id=sub.id,
        merchant_id=sub.merchant_id,
    )  # fmt: skip
    return replace(sub, secret=secret, previous_secret=None, previous_until=until)  # the new one, shown once


@dataclass(frozen=True, kw_only=True)
class SetSubscriptionStatus(Command):
    scope = "automation.webhook_status"
    subscription_id: str
    active: bool


@handlers.register()
def set_subscription_status(command: SetSubscriptionStatus, work: Work) -> Subscription:
    sub = _owned(work, command.subscription_id)
    status = SubscriptionStatus.ACTIVE if command.active else SubscriptionStatus.DISABLED
    reason = None if command.active else "disabled by hand"
    _repo(work).update_subscription(
        sub.id, now=work.now, status=status.value, disabled_reason=reason, failing_since=None
    )
    work.audit(
        f"automation.webhook_{'enable' if command.active else 'disable'}", object_type="webhook_subscription",
        object_id=sub.id, merchant_id=sub.merchant_id,
    )  # fmt: skip
    return replace(sub, status=status, disabled_reason=reason, failing_since=None)


# --- the fan-out: an outbox consumer ----------------------------------------------------


def queue_deliveries(work: Work, events: Sequence[StoredEvent]) -> int:
    """One delivery per (active subscription, event) it asked for; a merchant's only for its own events."""
    repo = _repo(work)
    active = repo.active_subscriptions()
    if not active:
        return 0
    rows = []
    for event in events:
        message = catalogue.public_form(
            event_id=event.id, name=event.name, occurred_at=event.occurred_at, alliance_id=event.alliance_id,
            payload=event.payload,
        )  # fmt: skip
        if message is None:
            continue
        merchant = catalogue.merchant_of(message)
        body = json.dumps(message, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        for sub in active:
            if event.name not in sub.event_types:
                continue
            if sub.merchant_id is not None and sub.merchant_id != merchant:
                continue
            rows.append({
                "subscription_id": sub.id, "merchant_id": sub.merchant_id, "event_id": event.id,
                "event_type": event.name, "body": body,
            })  # fmt: skip
    return repo.add_deliveries(rows, now=work.now)


# --- the worker's side -------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery, ready to sign and send."""

    delivery_id: str
    url: str
    body: str
    secret: str
    previous_secret: str | None
    attempt: int  # the number of this attempt (1 = the first)


@dataclass(frozen=True, kw_only=True)
class ClaimDeliveries(Command):
    scope = "automation.webhook_claim"
    limit: int = 50


@handlers.register(authorize=only_the_system)
def claim_deliveries(command: ClaimDeliveries, work: Work) -> list[Outgoing]:
    repo = _repo(work)
    claimed = repo.claim_due(now=work.now, lease=LEASE, limit=command.limit)
    by_sub = {s.id: s for s in repo.subscriptions(every=True)}
    out, resealed = [], set()
    for d in claimed:
        sub = by_sub[d.subscription_id]
        if sub.status is not SubscriptionStatus.ACTIVE:  # disabled meanwhile: park it for a replay
            repo.update_delivery(d.id, status=DeliveryStatus.FAILED.value, lease_until=None,
                                 last_error="subscription disabled")  # fmt: skip
            continue
        if sub.id not in resealed:
            sealing.reseal(work, repo, sub)
            resealed.add(sub.id)
        secret, previous = sealing.opened(work, sub).signing_secrets(work.now)
        out.append(Outgoing(d.id, sub.url, d.body, secret, previous, d.attempts + 1))
    return out


@dataclass(frozen=True, kw_only=True)
class RecordAttempt(Command):
    scope = "automation.webhook_attempt"
    delivery_id: str
    status_code: int | None
    error: str | None = None
    duration_ms: int = 0


@handlers.register(authorize=only_the_system)
def record_attempt(command: RecordAttempt, work: Work) -> Delivery:
    repo = _repo(work)
    delivery = repo.delivery(command.delivery_id)
    if delivery is None:
        raise DeliveryNotFound()
    attempt = delivery.attempts + 1
    ok = rules.succeeded(command.status_code)
    verdict = rules.after_attempt(attempts=attempt, succeeded=ok, now=work.now)
    error = (command.error or (None if ok else f"HTTP {command.status_code}")) if not ok else None
    repo.log_attempt(
        delivery.id, attempt=attempt, at=work.now, status_code=command.status_code,
        error=(error or "")[:300] or None, duration_ms=command.duration_ms,
    )  # fmt: skip
    repo.update_delivery(
        delivery.id, status=verdict.status.value, attempts=attempt, next_attempt_at=verdict.next_attempt_at,
        lease_until=None, last_status_code=command.status_code, last_error=(error or "")[:300] or None,
        delivered_at=work.now if ok else None,
    )  # fmt: skip
    _follow_up(work, delivery.subscription_id, ok=ok)
    return replace(
        delivery, status=verdict.status, attempts=attempt, next_attempt_at=verdict.next_attempt_at,
        last_status_code=command.status_code, last_error=error, delivered_at=work.now if ok else None,
    )  # fmt: skip


def _follow_up(work: Work, subscription_id: str, *, ok: bool) -> None:
    """A success clears the failure streak; a day of failures disables the endpoint, with a notice."""
    repo = _repo(work)
    sub = repo.subscription(subscription_id)
    if sub is None or sub.status is not SubscriptionStatus.ACTIVE:
        return
    if ok:
        if sub.failing_since is not None:
            repo.update_subscription(sub.id, now=work.now, failing_since=None)
        return
    if sub.failing_since is None:
        repo.update_subscription(sub.id, now=work.now, failing_since=work.now)
        return
    if rules.should_disable(failing_since=sub.failing_since, now=work.now):
        reason = "every delivery failed for 24 hours"
        repo.update_subscription(
            sub.id, now=work.now, status=SubscriptionStatus.DISABLED.value, disabled_reason=reason
        )
        work.audit(
            "automation.webhook_auto_disable", object_type="webhook_subscription", object_id=sub.id,
            merchant_id=sub.merchant_id, details={"reason": reason},
        )  # fmt: skip
        work.emit(
            "automation.webhook_disabled", sub.id, subscription_id=sub.id, merchant_id=sub.merchant_id,
            url=sub.url, reason=reason,
        )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class ReplayDelivery(Command):
    scope = "automation.webhook_replay"
    delivery_id: str


@handlers.register()
def replay_delivery(command: ReplayDelivery, work: Work) -> Delivery:
    """Send a delivery again now (same webhook-id, so receivers can tell it is the same message)."""
    repo = _repo(work)
    delivery = repo.delivery(command.delivery_id)
    if delivery is None:
        raise DeliveryNotFound()
    _owned(work, delivery.subscription_id)
    repo.update_delivery(
        delivery.id,
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        next_attempt_at=work.now,
        lease_until=None,
    )
    work.audit(
        "automation.webhook_replay", object_type="webhook_delivery", object_id=delivery.id,
        merchant_id=delivery.merchant_id,
    )  # fmt: skip
    return replace(delivery, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=work.now)
