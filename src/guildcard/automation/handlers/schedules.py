"""Schedule triggers (birthday, N days without a purchase, points about to expire, a date): the
worker's job ``RunSchedules`` asks the schedule source who each active rule reaches now and
runs the rule for them exactly as for an event, with the occurrence's key as the event id, so
each member's occurrence (``birthday:2026``) runs once however often the job runs.

The rules are claimed ``SKIP LOCKED``: two workers running the job at once share them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from guildcard.automation.domain import rules as dom
from guildcard.automation.domain.rules import RuleStatus
from guildcard.automation.handlers.base import deps_of, handlers, only_the_system
from guildcard.automation.handlers.rules import decide, occurrences, record
from guildcard.automation.storage.rules import RuleRepository
from guildcard.pipeline import Command, Work

SCHEDULED = tuple(code for code, t in dom.TRIGGERS.items() if t.scheduled)


@dataclass(frozen=True, kw_only=True)
class RunSchedules(Command):
    scope = "automation.run_schedules"
    as_of: datetime | None = None  # the moment the schedules are evaluated at (default: now)


@dataclass(frozen=True)
class Scheduled:
    rules: int  # schedule rules evaluated
    reached: int  # new (rule, member, occurrence) runs, whatever their outcome
    messages: int  # messages queued


@handlers.register(authorize=only_the_system)
def run_schedules(command: RunSchedules, work: Work) -> Scheduled:
    repo = RuleRepository(work.connection, work.alliance_id)
    rules = repo.rules(status=RuleStatus.ACTIVE, triggers=SCHEDULED, claim=True)
    deps = deps_of(work)
    now = command.as_of or work.now
    reached = messages = 0
    for rule in rules:  # one rule at a time: the next one's caps count what this one queued
        events = occurrences(work.connection, work.alliance_id, rule, deps.schedules, now=now)
        members = {e.subject for e in events}
        consenting = deps.marketing_consent(work, members) if members else set()
        decisions = decide(repo, [rule], events, now=now, consenting=consenting)
        reached += len(decisions)
        messages += record(work, repo, decisions)
    return Scheduled(len(rules), reached, messages)
