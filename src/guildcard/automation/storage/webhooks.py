"""Webhook rows on the command's connection: subscriptions, deliveries (claimed SKIP LOCKED), attempts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from guildcard.automation.domain.webhooks import DeliveryStatus, SubscriptionStatus
from guildcard.automation.storage.tables import webhook_attempts, webhook_deliveries, webhook_subscriptions
from guildcard.kernel.ids import new_id

subs = webhook_subscriptions
dlv = webhook_deliveries


@dataclass(frozen=True)
class Subscription:
    id: str
    merchant_id: str | None
    url: str
    description: str
    event_types: tuple[str, ...]
    secret: str
    previous_secret: str | None
    previous_until: datetime | None
    status: SubscriptionStatus
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime

    def signing_secrets(self, now: datetime) -> tuple[str, str | None]:
        """The secret, and the previous one while its overlap lasts."""
        keep = self.previous_secret if self.previous_until and now < self.previous_until else None
        return self.secret, keep


@dataclass(frozen=True)
class Delivery:
    id: str
    subscription_id: str
    merchant_id: str | None
    event_id: str
    event_type: str
    body: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


def _subscription(r: Any) -> Subscription:
    return Subscription(
        r.id, r.merchant_id, r.url, r.description, tuple(r.event_types), r.secret, r.previous_secret,
        r.previous_until, SubscriptionStatus(r.status), r.disabled_reason, r.failing_since, r.created_at,
    )  # fmt: skip


def _delivery(r: Any) -> Delivery:
    return Delivery(
        r.id, r.subscription_id, r.merchant_id, r.event_id, r.event_type, r.body, DeliveryStatus(r.status),
        int(r.attempts), r.next_attempt_at, r.last_status_code, r.last_error, r.delivered_at, r.created_at,
    )  # fmt: skip


class WebhookRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn = conn
        self.alliance_id = alliance_id

    # --- subscriptions ------------------------------------------------------------------

    def add_subscription(self, sub: Subscription, *, by: str) -> None:
        self.conn.execute(
            insert(subs).values(
                alliance_id=self.alliance_id, id=sub.id, merchant_id=sub.merchant_id, url=sub.url,
                description=sub.description, event_types=list(sub.event_types), secret=sub.secret,
                previous_secret=None, previous_until=None, status=sub.status.value, disabled_reason=None,
                failing_since=None, created_at=sub.created_at, created_by=by, updated_at=sub.created_at,
            )
        )  # fmt: skip

    def subscription(self, subscription_id: str) -> Subscription | None:
        row = self.conn.execute(
            select(subs).where(subs.c.alliance_id == self.alliance_id, subs.c.id == subscription_id)
        ).first()
        return _subscription(row) if row else None

    def subscriptions(self, *, merchant_id: str | None = None, every: bool = False) -> list[Subscription]:
        """The alliance's own (``merchant_id`` None), one merchant's, or ``every`` one."""
        query = select(subs).where(subs.c.alliance_id == self.alliance_id)
        if not every:
            query = query.where(
                subs.c.merchant_id.is_(None) if merchant_id is None else subs.c.merchant_id == merchant_id
            )
        return [_subscription(r) for r in self.conn.execute(query.order_by(subs.c.id))]

    def active_subscriptions(self) -> list[Subscription]:
        rows = self.conn.execute(
            select(subs).where(
                subs.c.alliance_id == self.alliance_id, subs.c.status == SubscriptionStatus.ACTIVE.value
            )
        )
        return [_subscription(r) for r in rows]

    def update_subscription(self, subscription_id: str, *, now: datetime, **values: Any) -> None:
        self.conn.execute(
            update(subs)
            .where(subs.c.alliance_id == self.alliance_id, subs.c.id == subscription_id)
            .values(updated_at=now, **values)
        )

    # --- deliveries ---------------------------------------------------------------------

    def add_deliveries(self, rows: Sequence[dict[str, Any]], *, now: datetime) -> int:
        if not rows:
            return 0
        self.conn.execute(
            insert(dlv),
            [
                {
                    "alliance_id": self.alliance_id, "id": new_id("msg"),
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0, "next_attempt_at": now, "lease_until": None, "last_status_code": None,
                    "last_error": None, "delivered_at": None, "created_at": now, **row,
                }
                for row in rows
            ],
        )  # fmt: skip
        return len(rows)

    def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Due deliveries (or ones whose worker's lease ran out), leased to this worker.

        ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: two workers take disjoint rows; SQLite has one
        writer at a time, so the conditional update alone decides.
        """
        due = or_(
            and_(dlv.c.status == DeliveryStatus.PENDING.value, dlv.c.next_attempt_at <= now),
            and_(dlv.c.status == DeliveryStatus.SENDING.value, dlv.c.lease_until < now),
        )
        ids = list(
            self.conn.execute(
                select(dlv.c.id)
                .where(dlv.c.alliance_id == self.alliance_id, due)
                .order_by(dlv.c.next_attempt_at, dlv.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if not ids:
            return []
        self.conn.execute(
            update(dlv)
            .where(dlv.c.alliance_id == self.alliance_id, dlv.c.id.in_(ids))
            .values(status=DeliveryStatus.SENDING.value, lease_until=now + lease)
        )
        return self.deliveries_by_id(ids)

    def deliveries_by_id(self, ids: Sequence[str]) -> list[Delivery]:
        rows = self.conn.execute(
            select(dlv)
            .where(dlv.c.alliance_id == self.alliance_id, dlv.c.id.in_(list(ids)))
            .order_by(dlv.c.id)
        )
        return [_delivery(r) for r in rows]

    def delivery(self, delivery_id: str) -> Delivery | None:
        found = self.deliveries_by_id([delivery_id])
        return found[0] if found else None

    def deliveries(
        self, *, subscription_id: str | None = None, merchant_id: str | None = None, limit: int = 100
    ) -> list[Delivery]:
        query = select(dlv).where(dlv.c.alliance_id == self.alliance_id)
        if subscription_id is not None:
            query = query.where(dlv.c.subscription_id == subscription_id)
        if merchant_id is not None:
            query = query.where(dlv.c.merchant_id == merchant_id)
        return [_delivery(r) for r in self.conn.execute(query.order_by(dlv.c.id.desc()).limit(limit))]

    def update_delivery(self, delivery_id: str, **values: Any) -> None:
        self.conn.execute(
            update(dlv).where(dlv.c.alliance_id == self.alliance_id, dlv.c.id == delivery_id).values(**values)
        )

    def status_counts(self) -> dict[str, int]:
        rows = self.conn.execute(
            select(dlv.c.status, func.count())
            .where(dlv.c.alliance_id == self.alliance_id)
            .group_by(dlv.c.status)
        )
        return {status: int(n) for status, n in rows.all()}

    # --- the delivery log ---------------------------------------------------------------

    def log_attempt(
        self, delivery_id: str, *, attempt: int, at: datetime, status_code: int | None, error: str | None,
        duration_ms: int,
    ) -> None:  # fmt: skip
        self.conn.execute(
            insert(webhook_attempts).values(
                alliance_id=self.alliance_id, id=new_id("att"), delivery_id=delivery_id, attempt=attempt,
                attempted_at=at, status_code=status_code, error=error, duration_ms=duration_ms,
            )
        )  # fmt: skip

    def attempts(self, delivery_id: str) -> list[Any]:
        return list(
            self.conn.execute(
                select(webhook_attempts)
                .where(
                    webhook_attempts.c.alliance_id == self.alliance_id,
                    webhook_attempts.c.delivery_id == delivery_id,
                )
                .order_by(webhook_attempts.c.attempt, webhook_attempts.c.attempted_at)
            )
        )


def alliances_with_open_deliveries(conn: Connection) -> list[str]:
    """The alliances that have deliveries waiting for an attempt (or held by a worker)."""
    open_ = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)
    rows = conn.execute(select(dlv.c.alliance_id).where(dlv.c.status.in_(open_)).distinct())
    return sorted(rows.scalars())
