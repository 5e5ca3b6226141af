"""The worker: dispatches the outbox to its consumers, sends due webhooks, runs due jobs.

Several workers may run at once, on one machine or many: every step is a command whose rows
are claimed with ``SKIP LOCKED`` on PostgreSQL (one writer at a time on SQLite), so no event
is consumed twice and no delivery is sent by two workers. The HTTP call happens outside any
transaction, between the claim (a 60 s lease) and the command that records its outcome.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from guildcard.automation.channels.port import ChannelRefused
from guildcard.automation.delivery import MessageRouter
from guildcard.automation.domain.webhooks import signed_headers
from guildcard.automation.handlers.dispatch import Dispatched, DispatchOutbox
from guildcard.automation.handlers.messages import ClaimMessages, RecordMessageAttempt
from guildcard.automation.handlers.webhooks import ClaimDeliveries, Outgoing, RecordAttempt
from guildcard.automation.sender import WebhookTransport
from guildcard.automation.storage.rules import Message, alliances_with_due_messages
from guildcard.automation.storage.webhooks import alliances_with_open_deliveries
from guildcard.db.engine import Database
from guildcard.kernel.actors import system_actor
from guildcard.pipeline import CommandBus, outbox

log = logging.getLogger(__name__)

Job = Callable[[], None]


@dataclass
class Tick:
    events: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    jobs: int = 0
    messages: int = 0  # message attempts (sent or failed)
    messages_sent: int = 0

    @property
    def idle(self) -> bool:
        return not (self.events or self.sent or self.messages)


@dataclass
class Worker:
    bus: CommandBus
    database: Database
    transport: WebhookTransport
    name: str = "worker"
    jobs: Sequence[Job] = ()
    jobs_every_s: float = 60.0
    batch: int = 200
    router: MessageRouter = field(default_factory=MessageRouter)
    wall_clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # signature timestamps
    _jobs_ran_at: float | None = None

    def tick(self) -> Tick:
        """One pass: every pending event dispatched, one batch of due deliveries per alliance sent."""
        tick = Tick()
        self.dispatch(tick)
        self.deliver(tick)
        self.send_messages(tick)
        self.run_jobs(tick)
        return tick

    def dispatch(self, tick: Tick) -> None:
        with self.database.read() as conn:
            alliances = outbox.alliances_with_pending(conn)
        for alliance_id in alliances:
            actor = system_actor(alliance_id, self.name)
            while True:
                done: Dispatched = self.bus.execute(actor, DispatchOutbox(limit=self.batch)).value
                tick.events += done.events
                tick.queued += done.queued
                if done.events < self.batch:
                    break

    def deliver(self, tick: Tick) -> None:
        with self.database.read() as conn:
            alliances = alliances_with_open_deliveries(conn)
        for alliance_id in alliances:
            actor = system_actor(alliance_id, self.name)
            claimed: list[Outgoing] = self.bus.execute(actor, ClaimDeliveries(limit=self.batch)).value
            for item in claimed:
                headers = signed_headers(
                    msg_id=item.delivery_id, timestamp=self.wall_clock(), body=item.body, secret=item.secret,
                    previous_secret=item.previous_secret,
                )  # fmt: skip
                answer = self.transport.post(item.url, body=item.body, headers=headers)
                recorded = RecordAttempt(
                    delivery_id=item.delivery_id, status_code=answer.status_code, error=answer.error,
                    duration_ms=answer.duration_ms,
                )  # fmt: skip
                result = self.bus.execute(actor, recorded).value
                tick.sent += 1
                tick.delivered += int(result.delivered_at is not None)

    def send_messages(self, tick: Tick) -> None:
        """Due messages, each sent on its channel outside any transaction, then its outcome recorded."""
        with self.database.read() as conn:
            alliances = alliances_with_due_messages(conn, self.wall_clock())
        for alliance_id in alliances:
            actor = system_actor(alliance_id, self.name)
            claimed: list[Message] = self.bus.execute(actor, ClaimMessages(limit=self.batch)).value
            for message in claimed:
                if not self.router.allowed(message.channel.value):
                    continue  # over the channel's rate: the lease runs out and a later tick sends it
                error = None
                try:
                    self.router.send(message)
                except ChannelRefused as refused:
                    error = refused.reason or "refused"
                done = self.bus.execute(actor, RecordMessageAttempt(message_id=message.id, error=error)).value
                tick.messages += 1
                tick.messages_sent += int(done.status == "sent")

    def run_jobs(self, tick: Tick, *, now: float | None = None) -> None:
        moment = time.monotonic() if now is None else now
        if self._jobs_ran_at is not None and moment - self._jobs_ran_at < self.jobs_every_s:
            return
        self._jobs_ran_at = moment
        for job in self.jobs:
            try:
                job()
                tick.jobs += 1
            except Exception:  # a failing job must not stop the outbox
                log.exception("worker job %s failed", getattr(job, "__name__", job))

    def run(self, stop: threading.Event, *, idle_sleep_s: float = 1.0) -> None:
        """Tick until ``stop`` is set, sleeping while there is nothing to do."""
        while not stop.is_set():
            try:
                tick = self.tick()
            except Exception:
                log.exception("worker tick failed")
                tick = Tick()
            if tick.idle:
                stop.wait(idle_sleep_s)

    def drain(self, *, max_ticks: int = 1000) -> Tick:
        """Tick until nothing is left to do now (tests, ``guildcard worker --once``)."""
        total = Tick()
        for _ in range(max_ticks):
            tick = self.tick()
            for name in ("events", "queued", "sent", "delivered", "jobs", "messages", "messages_sent"):
                setattr(total, name, getattr(total, name) + getattr(tick, name))
            if tick.idle:
                break
        return total
