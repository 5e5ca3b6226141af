"""A command's write batch: one statement on PostgreSQL; a failed check leaves nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from guildcard.db.batch import WriteBatch
from guildcard.db.tables import outbox_events
from guildcard.db.uow import SqlUnitOfWork
from guildcard.members.storage.tables import member_code_uses

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class StepTaken(Exception):
    pass


def _event(event_id: str) -> dict:
    return {"alliance_id": "al_1", "id": event_id, "name": "test.happened", "subject": "s",
            "payload": {"n": 1}, "occurred_at": NOW, "published_at": None}  # fmt: skip


def _write(database, event_ids: list[str], step: int) -> list[str]:
    """Events and a code use through one batch; the statements it sent."""
    sent: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        sent.append(statement.split(None, 1)[0])

    def taken(inserted: int) -> None:
        if not inserted:
            raise StepTaken

    with SqlUnitOfWork(database) as uow:
        event.listen(uow.connection, "before_cursor_execute", count)
        batch = WriteBatch(uow.connection)
        batch.insert(outbox_events, [_event(i) for i in event_ids])
        use = {"alliance_id": "al_1", "member_id": "mem_1", "step": step, "used_at": NOW}
        batch.insert(member_code_uses, [use], suffix="ON CONFLICT DO NOTHING RETURNING step", count=taken)
        batch.flush()
        uow.commit()
    return sent


def test_a_batch_is_one_statement_on_postgresql_and_a_failed_check_writes_nothing(database):
    sent = _write(database, ["evt_1", "evt_2"], step=7)
    assert sent == (["WITH"] if not database.is_sqlite else ["INSERT", "INSERT"])
    with pytest.raises(StepTaken):
        _write(database, ["evt_3"], step=7)  # the step is taken: the whole batch rolls back
    with database.read() as conn:
        ids = list(conn.execute(select(outbox_events.c.id).order_by(outbox_events.c.id)).scalars())
        payload = conn.execute(select(outbox_events.c.payload).where(outbox_events.c.id == "evt_1")).scalar()
        uses = conn.execute(select(func.count()).select_from(member_code_uses)).scalar()
    assert (ids, payload, uses) == (["evt_1", "evt_2"], {"n": 1}, 1)
