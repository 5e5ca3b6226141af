"""Webhook reads with the caller's rights: operators see the alliance's endpoints (and any merchant's),
a merchant's staff only their own merchant's; someone else's is "not found"."""

from __future__ import annotations

from sqlalchemy import Connection

from guildcard.automation.handlers.webhooks import SubscriptionNotFound
from guildcard.automation.storage.webhooks import Delivery, Subscription, WebhookRepository
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import PermissionDenied

__all__ = ["Delivery", "Subscription", "deliveries", "delivery_counts", "subscription", "subscriptions"]


def _may_read(actor: Actor, merchant_id: str | None) -> bool:
    if actor.is_operator():
        return True
    return merchant_id is not None and actor.is_staff_of(merchant_id, "owner", "manager")


def subscriptions(conn: Connection, actor: Actor, *, merchant_id: str | None = None) -> list[Subscription]:
    if not _may_read(actor, merchant_id):
        raise PermissionDenied()
    return WebhookRepository(conn, actor.alliance_id).subscriptions(merchant_id=merchant_id)


def subscription(conn: Connection, actor: Actor, subscription_id: str) -> Subscription:
    found = WebhookRepository(conn, actor.alliance_id).subscription(subscription_id)
    if found is None or not _may_read(actor, found.merchant_id):
        raise SubscriptionNotFound()
    return found


def deliveries(conn: Connection, actor: Actor, subscription_id: str, *, limit: int = 100) -> list[Delivery]:
    subscription(conn, actor, subscription_id)
    return WebhookRepository(conn, actor.alliance_id).deliveries(subscription_id=subscription_id, limit=limit)


def delivery_counts(conn: Connection, alliance_id: str) -> dict[str, int]:
    """Deliveries by status (the demo's and the console's figures)."""
    return WebhookRepository(conn, alliance_id).status_counts()
