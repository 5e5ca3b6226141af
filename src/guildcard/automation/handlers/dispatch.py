"""Dispatching the outbox: one command claims a batch of pending events and hands it to every consumer.

The claim, the consumers' rows (webhook deliveries, later rule runs and messages) and the
``published`` mark commit together, so an event is consumed exactly once even with several
workers: a crash rolls all three back and the next worker takes the batch again.
"""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.automation.handlers.base import deps_of, handlers, only_the_system
from guildcard.pipeline import Command, Work, outbox


@dataclass(frozen=True, kw_only=True)
class DispatchOutbox(Command):
    scope = "automation.dispatch"
    limit: int = 200


@dataclass(frozen=True)
class Dispatched:
    events: int
    queued: int  # what the consumers queued (webhook deliveries, ...)


@handlers.register(authorize=only_the_system)
def dispatch_outbox(command: DispatchOutbox, work: Work) -> Dispatched:
    events = outbox.claim_pending(work.connection, work.alliance_id, limit=command.limit)
    if not events:
        return Dispatched(0, 0)
    queued = sum(consume(work, events) for consume in deps_of(work).consumers)
    outbox.mark_published(work.connection, work.alliance_id, (e.id for e in events), at=work.now)
    return Dispatched(len(events), queued)
