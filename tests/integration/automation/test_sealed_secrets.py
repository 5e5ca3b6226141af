"""Webhook signing secrets are sealed at rest: the row and the idempotency record hold no secret
in clear, the creator sees it once (a replay opens the row), the worker opens it to sign, and a
row from before sealing is sealed the first time the worker reads it (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook
from tests.integration.automation.conftest import ADMIN, ALLIANCE, CIPHER, write_events
from tests.integration.automation.test_webhooks import PURCHASE, purchase

from guildcard.automation.domain.webhooks import new_secret
from guildcard.automation.handlers.webhooks import CreateSubscription, RotateSecret
from guildcard.automation.storage.tables import webhook_subscriptions
from guildcard.db.tables import idempotency_records

subs = webhook_subscriptions


def stored(database, subscription_id: str):
    with database.read() as conn:
        return conn.execute(
            select(subs.c.secret, subs.c.previous_secret).where(subs.c.id == subscription_id)
        ).one()


def records(database) -> str:
    with database.read() as conn:
        return json.dumps([dict(r._mapping) for r in conn.execute(select(idempotency_records))], default=str)


def test_a_secret_is_sealed_shown_once_and_opened_only_to_sign(bus, database, worker, receiver, clock):
    command = CreateSubscription(url=receiver.url, event_types=(PURCHASE,), idempotency_key="hook-1")
    created = bus.execute(ADMIN, command)
    secret = created.value.secret
    assert secret.startswith("whsec_")
    row = stored(database, created.value.id)
    assert row.secret.startswith("v1:")
    assert secret not in row.secret
    assert CIPHER.decrypt(row.secret, context=f"automation:webhook:{created.value.id}:secret") == secret
    assert secret not in records(database)
    again = bus.execute(ADMIN, command)
    assert again.replayed
    assert again.value.secret == secret

    write_events(database, [purchase("mer_1")])
    worker.drain()
    [got] = receiver.received
    Webhook(secret).verify(got.body, got.headers)

    rotated = bus.execute(
        ADMIN, RotateSecret(subscription_id=created.value.id, idempotency_key="rot-1")
    ).value
    row = stored(database, created.value.id)
    assert row.secret.startswith("v1:")
    assert row.previous_secret.startswith("v1:")
    assert rotated.secret not in records(database)
    write_events(database, [purchase("mer_1", 2)])
    worker.drain()
    latest = receiver.received[-1]
    Webhook(rotated.secret).verify(latest.body, latest.headers)
    Webhook(secret).verify(latest.body, latest.headers)  # the old one signs alongside for a day


def test_a_plain_secret_from_before_sealing_still_signs_and_is_sealed_at_first_read(
    bus, database, worker, receiver
):
    created = bus.execute(ADMIN, CreateSubscription(url=receiver.url, event_types=(PURCHASE,))).value
    legacy = new_secret()
    with database.write() as conn:  # what a row written before this change holds
        conn.execute(update(subs).where(subs.c.alliance_id == ALLIANCE).values(secret=legacy))
    write_events(database, [purchase("mer_1")])
    worker.drain()
    [got] = receiver.received
    Webhook(legacy).verify(got.body, got.headers)
    row = stored(database, created.id)
    assert row.secret.startswith("v1:")
    assert CIPHER.decrypt(row.secret, context=f"automation:webhook:{created.id}:secret") == legacy
