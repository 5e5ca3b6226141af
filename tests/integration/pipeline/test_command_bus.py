"""The command bus on both backends: replay, conflict, audit, outbox, rollback, retries, versions."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, select, text

from guildcard.audit.tables import audit_log
from guildcard.db.engine import Database
from guildcard.db.tables import outbox_events
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.kernel.errors import IdempotencyConflict, PermissionDenied, RuleViolation
from guildcard.pipeline import Command, CommandBus, Handlers, Work, outbox, versions

ALLIANCE = "all_01JTEST0000000000000000000"
ACTOR = Actor(ActorKind.OPERATOR, "opr_1", ALLIANCE, role="admin")
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)

handlers = Handlers("test")


@dataclass(frozen=True, kw_only=True)
class Note(Command):
    scope = "test.note"
    text: str
    fail: bool = False
    crash: bool = False  # a defect, not a refusal


@dataclass(frozen=True)
class Noted:
    note_id: str
    text: str
    at: datetime


def _only_admins(actor: Actor, _command: Note) -> None:
    if not actor.is_operator("admin"):
        raise PermissionDenied()


@handlers.register(authorize=_only_admins)
def write_note(command: Note, work: Work) -> Noted:
    note_id = f"n{work.connection.execute(text('SELECT count(*) FROM audit_log')).scalar_one()}"
    work.audit("note.write", object_type="note", object_id=note_id)
    work.emit("test.noted", note_id, text=command.text)
    if command.fail:
        raise RuleViolation("refused on purpose")
    if command.crash:
        raise RuntimeError("a bug")
    return Noted(note_id, command.text, work.now)


@pytest.fixture
def bus(database: Database) -> CommandBus:
    return CommandBus(database, FixedClock(NOW), [handlers])


def _count(conn: Connection, table: object) -> int:
    return len(conn.execute(select(table)).all())  # type: ignore[call-overload]


def test_a_command_commits_its_audit_line_and_its_events_together(
    bus: CommandBus, database: Database
) -> None:
    outcome = bus.execute(ACTOR, Note(text="hello", idempotency_key="k1"))
    assert not outcome.replayed
    assert outcome.value.text == "hello"
    assert outcome.value.at == NOW
    with database.read() as conn:
        assert [r.action for r in conn.execute(select(audit_log))] == ["note.write"]
        events = outbox.pending(conn, ALLIANCE)
    assert [(e.name, e.payload) for e in events] == [("test.noted", {"text": "hello"})]


def test_a_replay_returns_the_first_typed_result_and_writes_nothing(
    bus: CommandBus, database: Database
) -> None:
    first = bus.execute(ACTOR, Note(text="hello", idempotency_key="k1"))
    again = bus.execute(ACTOR, Note(text="hello", idempotency_key="k1"))
    assert again.replayed
    assert again.value == first.value
    assert isinstance(again.value, Noted)
    with database.read() as conn:
        assert _count(conn, audit_log) == 1
        assert _count(conn, outbox_events) == 1


def test_the_same_key_with_another_body_is_a_conflict(bus: CommandBus) -> None:
    bus.execute(ACTOR, Note(text="hello", idempotency_key="k1"))
    with pytest.raises(IdempotencyConflict):
        bus.execute(ACTOR, Note(text="bye", idempotency_key="k1"))


def test_a_failing_handler_leaves_nothing_behind_and_frees_its_key(
    bus: CommandBus, database: Database
) -> None:
    with pytest.raises(RuleViolation):
        bus.execute(ACTOR, Note(text="x", fail=True, idempotency_key="k2"))
    with database.read() as conn:
        assert _count(conn, audit_log) == 0
        assert _count(conn, outbox_events) == 0
    assert not bus.execute(ACTOR, Note(text="x", idempotency_key="k2")).replayed


def test_the_actor_is_authorized_before_any_transaction(bus: CommandBus, database: Database) -> None:
    viewer = Actor(ActorKind.OPERATOR, "opr_2", ALLIANCE, role="viewer")
    with pytest.raises(PermissionDenied):
        bus.execute(viewer, Note(text="hello", idempotency_key="k3"))
    with database.read() as conn:
        assert _count(conn, audit_log) == 0


def test_subscribers_hear_events_only_after_commit(bus: CommandBus) -> None:
    heard: list[tuple[str, list[str]]] = []
    bus.subscribe(lambda alliance, events: heard.append((alliance, [e.name for e in events])))
    with pytest.raises(RuleViolation):
        bus.execute(ACTOR, Note(text="x", fail=True))
    bus.execute(ACTOR, Note(text="y"))
    assert heard == [(ALLIANCE, ["test.noted"])]


def test_events_are_marked_published_once(bus: CommandBus, database: Database) -> None:
    bus.execute(ACTOR, Note(text="a"))
    bus.execute(ACTOR, Note(text="b"))
    with database.write() as conn:
        events = outbox.pending(conn, ALLIANCE)
        assert [e.payload["text"] for e in events] == ["a", "b"]
        assert outbox.mark_published(conn, ALLIANCE, [e.id for e in events], at=NOW) == 2
        assert outbox.mark_published(conn, ALLIANCE, [e.id for e in events], at=NOW) == 0
        assert outbox.pending(conn, ALLIANCE) == []


def test_a_versioned_cache_reloads_only_after_a_bump(database: Database) -> None:
    loaded: list[int] = []

    def load(conn: Connection, alliance_id: str) -> int:
        loaded.append(1)
        return len(loaded)

    cache = versions.VersionedCache("ledger", load)
    with database.read() as conn:
        assert cache.get(conn, ALLIANCE) == 1
        assert cache.get(conn, ALLIANCE) == 1
    with database.write() as conn:
        versions.bump(conn, ALLIANCE, "ledger")
    with database.read() as conn:
        assert cache.get(conn, ALLIANCE) == 2
    with database.write() as conn:
        versions.bump(conn, ALLIANCE, "other-topic")
    with database.read() as conn:
        assert cache.get(conn, ALLIANCE) == 2


@pytest.mark.postgresql
def test_concurrent_duplicates_on_postgresql_do_the_work_once(pg_database: Database) -> None:
    bus = CommandBus(pg_database, FixedClock(NOW), [handlers])
    outcomes: list[bool] = []
    barrier = threading.Barrier(8)

    def one() -> None:
        barrier.wait()
        outcomes.append(bus.execute(ACTOR, Note(text="same", idempotency_key="k9")).replayed)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False] + [True] * 7
    with pg_database.read() as conn:
        assert _count(conn, audit_log) == 1


def test_a_batch_commits_its_commands_and_a_refused_one_alone_leaves_nothing(
    bus: CommandBus, database: Database
) -> None:
    viewer = Actor(ActorKind.OPERATOR, "opr_2", ALLIANCE, role="viewer")
    results = bus.execute_many(ACTOR, [Note(text="a"), Note(text="b", fail=True), Note(text="c")])
    assert [type(r).__name__ for r in results] == ["Outcome", "RuleViolation", "Outcome"]
    assert isinstance(bus.execute_many(viewer, [Note(text="d")])[0], PermissionDenied)
    with database.read() as conn:
        assert [e.payload["text"] for e in outbox.pending(conn, ALLIANCE)] == ["a", "c"]


def test_a_defect_in_a_batch_commits_nothing_of_it(bus: CommandBus, database: Database) -> None:
    with pytest.raises(RuntimeError):
        bus.execute_many(ACTOR, [Note(text="a"), Note(text="b", crash=True)])
    with database.read() as conn:
        assert _count(conn, audit_log) == 0
        assert _count(conn, outbox_events) == 0
