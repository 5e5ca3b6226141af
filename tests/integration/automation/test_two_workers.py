"""Two workers at once on PostgreSQL: 1,000 events, every delivery made exactly once."""

from __future__ import annotations

import threading

import pytest
from tests.integration.automation.conftest import ADMIN, ALLIANCE, automation_bus, write_events
from tests.support.webhook_receiver import webhook_receiver

from guildcard.automation.domain.webhooks import DeliveryStatus
from guildcard.automation.handlers.webhooks import CreateSubscription
from guildcard.automation.sender import HttpTransport
from guildcard.automation.storage.webhooks import WebhookRepository
from guildcard.automation.worker import Tick, Worker
from guildcard.db.engine import Database
from guildcard.pipeline import Event, outbox

EVENTS = 1000


@pytest.mark.slow
def test_two_workers_process_a_thousand_events_with_every_action_exactly_once(pg_database: Database):
    bus = automation_bus(pg_database)
    with webhook_receiver() as receiver:
        subscription = CreateSubscription(url=receiver.url, event_types=("members.member_registered",))
        bus.execute(ADMIN, subscription)  # one delivery per event
        events = [
            Event("members.member_registered", f"mem_{n}", {"member_id": f"mem_{n}"}) for n in range(EVENTS)
        ]
        for start in range(0, EVENTS, 250):
            write_events(pg_database, events[start : start + 250])

        start = threading.Barrier(2)
        totals: list[Tick] = []

        def run(name: str) -> None:
            database = Database(pg_database.engine.url.render_as_string(hide_password=False))
            transport = HttpTransport(timeout=5)
            worker = Worker(automation_bus(database), database, transport, name=name, batch=50)
            try:
                start.wait()
                totals.append(worker.drain())
            finally:
                transport.close()
                database.dispose()

        threads = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

        seen = receiver.ids()
        assert sum(t.events for t in totals) == EVENTS  # each event dispatched by one worker only
        assert sum(t.sent for t in totals) == EVENTS  # each delivery sent by one worker only
        assert all(t.sent > 0 for t in totals), f"both workers should have sent a share: {totals}"
        assert len(seen) == EVENTS
        assert set(seen.values()) == {1}
    with pg_database.read() as conn:
        counts = WebhookRepository(conn, ALLIANCE).status_counts()
        assert outbox.alliances_with_pending(conn) == []
    assert counts == {DeliveryStatus.DELIVERED.value: EVENTS}
