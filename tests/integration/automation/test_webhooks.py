"""Webhooks, as an integrator sees them: signed events at a local receiver, retries, replay, rotation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from tests.integration.automation.conftest import ADMIN, ALLIANCE, automation_bus, owner_of, write_events
from tests.support.webhook_receiver import Receiver

from guildcard.automation.domain.webhooks import DeliveryStatus, InvalidEndpoint, SubscriptionStatus
from guildcard.automation.handlers.webhooks import (
    CreateSubscription,
    ReplayDelivery,
    RotateSecret,
    SetSubscriptionStatus,
)
from guildcard.automation.storage.webhooks import WebhookRepository
from guildcard.automation.worker import Worker
from guildcard.db.engine import Database
from guildcard.db.tables import outbox_events
from guildcard.kernel.clock import FixedClock
from guildcard.kernel.errors import PermissionDenied, RuleViolation
from guildcard.pipeline import CommandBus, Event

PURCHASE = "counter.purchase_recorded"


def purchase(merchant_id: str, n: int = 1) -> Event:
    return Event(
        PURCHASE, f"pur_{merchant_id}_{n}",
        {"merchant_id": merchant_id, "store_id": f"sto_{merchant_id}", "member_id": "mem_1",
         "payable_fen": 1200 * n, "cash_fen": 1200 * n, "points_used": 0,
         "points_earned": 12, "source": "counter",
         "phone": "+8613812345678", "note": "internal only"},
    )  # fmt: skip


def subscribe(bus: CommandBus, url: str, *types: str, merchant_id: str | None = None):
    actor = ADMIN if merchant_id is None else owner_of(merchant_id)
    command = CreateSubscription(url=url, event_types=types, merchant_id=merchant_id, idempotency_key=url)
    return bus.execute(actor, command).value


def deliveries(database: Database):
    with database.read() as conn:
        return WebhookRepository(conn, ALLIANCE).deliveries(limit=1000)


def test_a_receiver_gets_signed_events_in_their_public_form(
    bus, database, worker: Worker, receiver: Receiver
):
    alliance = subscribe(bus, f"{receiver.url}/alliance", PURCHASE, "members.member_registered")
    merchant = subscribe(bus, f"{receiver.url}/m1", PURCHASE, merchant_id="mer_1")
    write_events(
        database,
        [
            purchase("mer_1"),
            purchase("mer_2"),
            Event("members.member_registered", "mem_9", {"member_id": "mem_9", "how": "sign_in"}),
        ],
    )

    worker.drain()

    to_alliance, to_merchant = receiver.at("/alliance"), receiver.at("/m1")
    assert [json.loads(r.body)["type"] for r in to_alliance] == [
        PURCHASE,
        PURCHASE,
        "members.member_registered",
    ]
    assert [json.loads(r.body)["data"]["merchant_id"] for r in to_merchant] == [
        "mer_1"
    ]  # its own events only
    for got, secret in [
        *((r, alliance.secret) for r in to_alliance),
        *((r, merchant.secret) for r in to_merchant),
    ]:
        message = Webhook(secret).verify(got.body, got.headers)
        assert message["id"]
        assert message["alliance_id"] == ALLIANCE
        assert message["version"] == 1
        assert "phone" not in message["data"]
        assert "note" not in message["data"]
    with database.read() as conn:
        pending = conn.execute(select(outbox_events).where(outbox_events.c.published_at.is_(None))).all()
    assert pending == []


def test_a_tampered_message_or_a_wrong_secret_fails_the_librarys_verifier(bus, database, worker, receiver):
    sub = subscribe(bus, receiver.url, PURCHASE)
    write_events(database, [purchase("mer_1")])
    worker.drain()
    [got] = receiver.received
    with pytest.raises(WebhookVerificationError):
        Webhook(sub.secret).verify(got.body.replace("1200", "9900"), got.headers)
    other = subscribe(bus, f"{receiver.url}/other", PURCHASE)
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(got.body, got.headers)


def test_a_failure_is_retried_with_backoff_logged_and_replayed(
    bus, database, worker, receiver, clock: FixedClock
):
    subscribe(bus, receiver.url, PURCHASE)
    write_events(database, [purchase("mer_1")])
    receiver.answer = 500
    worker.drain()
    [failed] = deliveries(database)
    assert (failed.status, failed.attempts, failed.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert failed.next_attempt_at == clock.now() + timedelta(seconds=5)

    worker.drain()  # not due yet
    assert len(receiver.received) == 1
    clock.advance(timedelta(seconds=6))
    receiver.answer = 204
    worker.drain()
    [done] = deliveries(database)
    assert (done.status, done.attempts, done.last_status_code) == (DeliveryStatus.DELIVERED, 2, 204)
    with database.read() as conn:
        log = WebhookRepository(conn, ALLIANCE).attempts(done.id)
    assert [(a.attempt, a.status_code) for a in log] == [(1, 500), (2, 204)]

    bus.execute(ADMIN, ReplayDelivery(delivery_id=done.id))
    worker.drain()
    assert receiver.ids() == {done.id: 3}  # the same webhook-id each time: receivers can de-duplicate


def test_an_endpoint_failing_for_a_day_is_disabled_with_a_notice(bus, database, worker, receiver, clock):
    sub = subscribe(bus, receiver.url, PURCHASE)
    receiver.answer = 503
    for n in range(1, 4):
        write_events(database, [purchase("mer_1", n)], at=clock.now())
        worker.drain()
        clock.advance(timedelta(hours=10))
        worker.drain()
        clock.advance(timedelta(hours=3))
    with database.read() as conn:
        repo = WebhookRepository(conn, ALLIANCE)
        after = repo.subscription(sub.id)
        notices = conn.execute(
            select(outbox_events).where(outbox_events.c.name == "automation.webhook_disabled")
        ).all()
    assert after is not None
    assert after.status is SubscriptionStatus.DISABLED
    assert after.disabled_reason == "every delivery failed for 24 hours"
    assert [n.payload["subscription_id"] for n in notices] == [sub.id]
    sent = len(receiver.received)
    write_events(database, [purchase("mer_1", 9)], at=clock.now())
    clock.advance(timedelta(days=1))
    worker.drain()
    assert len(receiver.received) == sent  # nothing more goes to a disabled endpoint

    bus.execute(ADMIN, SetSubscriptionStatus(subscription_id=sub.id, active=True))
    receiver.answer = 200
    write_events(database, [purchase("mer_1", 10)], at=clock.now())
    worker.drain()
    assert json.loads(receiver.received[-1].body)["data"]["payable_fen"] == 12000


def test_a_rotated_secret_signs_alongside_the_old_one_for_a_day(bus, database, worker, receiver, clock):
    sub = subscribe(bus, receiver.url, PURCHASE)
    rotated = bus.execute(ADMIN, RotateSecret(subscription_id=sub.id, idempotency_key="rotate-1")).value
    assert rotated.secret != sub.secret
    write_events(database, [purchase("mer_1")])
    worker.drain()
    got = receiver.received[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(sub.secret).verify(got.body, got.headers)
    Webhook(rotated.secret).verify(got.body, got.headers)

    clock.advance(timedelta(hours=25))
    write_events(database, [purchase("mer_1", 2)], at=clock.now())
    worker.drain()
    later = receiver.received[-1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(sub.secret).verify(later.body, later.headers)


def test_endpoints_must_be_https_and_merchants_subscribe_only_to_their_own(database, clock):
    production = automation_bus(database, clock, local_http=False)
    with pytest.raises(InvalidEndpoint):
        subscribe(production, "http://127.0.0.1:9/hook", PURCHASE)
    with pytest.raises(InvalidEndpoint):
        subscribe(automation_bus(database, clock), "http://example.com/hook", PURCHASE)
    assert subscribe(production, "https://pos.example.com/hook", PURCHASE).url.startswith("https://")
    with pytest.raises(RuleViolation):
        subscribe(production, "https://pos.example.com/x", "members.no_such_event")
    with pytest.raises(PermissionDenied):
        production.execute(
            owner_of("mer_1"),
            CreateSubscription(url="https://a.example.com/h", event_types=(PURCHASE,), merchant_id="mer_2"),
        )
