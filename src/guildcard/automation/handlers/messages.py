"""Message outbox commands: a worker's claim of due messages, the outcome of an attempt, an
operator's retry of a dead letter, a member marking inbox messages read, and a member's message
preferences (which channel and kind they want nothing on; rules leave those messages out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from guildcard.automation.domain.rules import Channel, MessageKind
from guildcard.automation.handlers.base import handlers, may_manage_rules, only_the_system
from guildcard.automation.storage.preferences import set_preference
from guildcard.automation.storage.rules import Message, RuleRepository
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from guildcard.pipeline import Command, Work

LEASE = timedelta(seconds=60)
# After a failed attempt: 30 s, 2 min, 10 min, 1 h; the fifth failure makes it a dead letter.
MESSAGE_RETRIES: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
)
MAX_MESSAGE_ATTEMPTS = len(MESSAGE_RETRIES) + 1


class MessageNotFound(NotFound):
    """No such message."""

    code = "automation.message_not_found"


class MessageNotDead(RuleViolation):
    """Only a dead-letter message can be retried."""

    code = "automation.message_not_dead"


class BadPreference(InvalidInput):
    """No such message channel or kind."""

    code = "automation.bad_preference"


def _repo(work: Work) -> RuleRepository:
    return RuleRepository(work.connection, work.alliance_id)


@dataclass(frozen=True, kw_only=True)
class ClaimMessages(Command):
    scope = "automation.message_claim"
    limit: int = 200


@handlers.register(authorize=only_the_system)
def claim_messages(command: ClaimMessages, work: Work) -> list[Message]:
    return _repo(work).claim_due(now=work.now, lease_until=work.now + LEASE, limit=command.limit)


@dataclass(frozen=True, kw_only=True)
class RecordMessageAttempt(Command):
    scope = "automation.message_attempt"
    message_id: str
    error: str | None = None  # None: sent


@dataclass(frozen=True)
class MessageOutcome:
    message_id: str
    status: str
    attempts: int


@handlers.register(authorize=only_the_system)
def record_message_attempt(command: RecordMessageAttempt, work: Work) -> MessageOutcome:
    repo = _repo(work)
    msg = repo.message(command.message_id)
    if msg is None:
        raise MessageNotFound()
    attempts = msg.attempts + 1
    if command.error is None:
        repo.update_message(msg.id, status="sent", attempts=attempts, sent_at=work.now, lease_until=None,
                            last_error=None)  # fmt: skip
        return MessageOutcome(msg.id, "sent", attempts)
    if attempts >= MAX_MESSAGE_ATTEMPTS:
        repo.update_message(msg.id, status="dead", attempts=attempts, lease_until=None, next_attempt_at=None,
                            last_error=command.error[:300])  # fmt: skip
        work.emit("automation.message_dead", msg.id, member_id=msg.member_id, channel=msg.channel.value)
        return MessageOutcome(msg.id, "dead", attempts)
    repo.update_message(
        msg.id, attempts=attempts, lease_until=None, last_error=command.error[:300],
        next_attempt_at=work.now + MESSAGE_RETRIES[attempts - 1],
    )  # fmt: skip
    return MessageOutcome(msg.id, "pending", attempts)


@dataclass(frozen=True, kw_only=True)
class RetryMessage(Command):
    scope = "automation.message_retry"
    message_id: str


@handlers.register(authorize=may_manage_rules)
def retry_message(command: RetryMessage, work: Work) -> MessageOutcome:
    """A dead letter goes back to pending with a fresh set of attempts."""
    repo = _repo(work)
    msg = repo.message(command.message_id)
    if msg is None:
        raise MessageNotFound()
    if msg.status != "dead":
        raise MessageNotDead()
    repo.update_message(msg.id, status="pending", attempts=0, next_attempt_at=work.now, last_error=None)
    work.audit("automation.message_retry", object_type="message", object_id=msg.id)
    return MessageOutcome(msg.id, "pending", 0)


@dataclass(frozen=True, kw_only=True)
class MarkRead(Command):
    scope = "automation.inbox_read"
    message_ids: tuple[str, ...] | None = None  # None: all of the member's unread


def _a_member(actor: Actor, _command: object) -> None:
    if actor.kind is not ActorKind.MEMBER:
        raise PermissionDenied()


@dataclass(frozen=True)
class Read:
    marked: int
    unread: int


@handlers.register(authorize=_a_member)
def mark_read(command: MarkRead, work: Work) -> Read:
    """Only the member's own inbox messages are touched (another member's ids are ignored)."""
    repo = _repo(work)
    marked = repo.mark_read(work.actor.id, command.message_ids, now=work.now)
    return Read(marked, repo.unread(work.actor.id))


@dataclass(frozen=True, kw_only=True)
class SetMessagePreferences(Command):
    """The member's own choice: which (channel, kind) pairs they want no messages on."""

    scope = "automation.message_preferences"
    opted_out: tuple[tuple[str, str], ...] = ()  # (channel, kind) turned off; every other pair on


@dataclass(frozen=True)
class Preferences:
    opted_out: tuple[tuple[str, str], ...]


@handlers.register(authorize=_a_member)
def set_message_preferences(command: SetMessagePreferences, work: Work) -> Preferences:
    off = set()
    for channel, kind in command.opted_out:
        try:
            off.add((Channel(channel).value, MessageKind(kind).value))
        except ValueError as exc:
            raise BadPreference(field="opted_out") from exc
    for channel in Channel:
        for kind in MessageKind:
            pair = (channel.value, kind.value)
            set_preference(
                work.connection, work.alliance_id, work.actor.id, *pair, opted_out=pair in off, now=work.now
            )
    work.audit("automation.message_preferences", object_type="member", object_id=work.actor.id,
               details={"opted_out": sorted(f"{c}:{k}" for c, k in off)})  # fmt: skip
    return Preferences(tuple(sorted(off)))
