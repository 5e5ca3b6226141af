"""A command bus with the automation handlers, a worker, and a local webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from tests.support.webhook_receiver import Receiver, webhook_receiver

from guildcard.automation.handlers import AutomationDeps, handlers
from guildcard.automation.handlers.webhooks import queue_deliveries
from guildcard.automation.sender import HttpTransport
from guildcard.automation.worker import Worker
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock, SystemClock
from guildcard.pipeline import CommandBus, Event, outbox
from guildcard.privacy.cipher import FieldCipher

ALLIANCE = "all_01JAUTOMATION0000000000000"
ADMIN = Actor(ActorKind.OPERATOR, "opr_admin", ALLIANCE, role="admin")
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
CIPHER = FieldCipher("automation-tests-data-key")  # webhook secrets are sealed as in the application


def owner_of(merchant_id: str) -> Actor:
    return Actor(ActorKind.STAFF, f"stf_{merchant_id}", ALLIANCE, role="owner", merchant_id=merchant_id)


def automation_bus(
    database: Database, clock: FixedClock | None = None, *, local_http: bool = True
) -> CommandBus:
    bus = CommandBus(database, clock or SystemClock(), [handlers])
    deps = AutomationDeps(allow_local_http=local_http, consumers=[queue_deliveries], cipher=CIPHER)
    bus.provide("automation", deps)
    return bus


def write_events(database: Database, events: list[Event], *, at: datetime = NOW) -> None:
    """What other contexts' commands leave in the outbox."""
    with database.write() as conn:
        outbox.append(conn, ALLIANCE, events, at=at)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def bus(database: Database, clock: FixedClock) -> CommandBus:
    return automation_bus(database, clock)


@pytest.fixture
def transport() -> Iterator[HttpTransport]:
    http = HttpTransport(timeout=5)
    yield http
    http.close()


@pytest.fixture
def worker(bus: CommandBus, database: Database, transport: HttpTransport) -> Worker:
    return Worker(bus, database, transport)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r
