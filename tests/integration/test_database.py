"""The database layer on both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from guildcard.db import idempotency, schema
from guildcard.db.engine import Database
from guildcard.db.uow import SqlUnitOfWork
from guildcard.kernel.errors import IdempotencyConflict, SchemaOutdated

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_a_migrated_database_is_current(database):
    assert schema.assert_current(database.engine) == schema.head_revisions()


def test_an_empty_database_is_reported_outdated(tmp_path):
    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaOutdated, match="guildcard db upgrade"):
        schema.assert_current(empty.engine)


def test_every_key_of_an_alliance_row_is_led_by_alliance_id(database):
    """The scaling path: rows spread across servers by alliance with no code change."""
    inspector = inspect(database.engine)
    checked = 0
    for table in inspector.get_table_names():
        columns = {c["name"] for c in inspector.get_columns(table)}
        if "alliance_id" not in columns:
            continue
        checked += 1
        pk = inspector.get_pk_constraint(table)["constrained_columns"]
        assert pk, f"{table} has no primary key"
        assert pk[0] == "alliance_id", f"{table}: primary key {pk}"
        for unique in inspector.get_unique_constraints(table):
            assert unique["column_names"][0] == "alliance_id", f"{table}: unique {unique}"
        for index in inspector.get_indexes(table):
            if index.get("unique"):
                assert index["column_names"][0] == "alliance_id", f"{table}: unique index {index}"
    assert checked >= 1


def test_sqlite_runs_in_wal_with_foreign_keys_and_full_sync(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_a_unit_of_work_left_without_commit_writes_nothing(database):
    with SqlUnitOfWork(database) as uow:
        idempotency.claim(uow.connection, alliance_id="al_1", scope="t", key="k", fingerprint="f", now=NOW)
    with SqlUnitOfWork(database) as uow:
        idempotency.claim(uow.connection, alliance_id="al_1", scope="t", key="k2", fingerprint="f", now=NOW)
        uow.commit()
    with database.read() as conn:
        keys = conn.execute(text("SELECT key FROM idempotency_records")).scalars().all()
    assert keys == ["k2"]


def test_idempotency_replays_the_first_response_and_refuses_a_different_request(database):
    def command(fingerprint: str) -> dict:
        with SqlUnitOfWork(database) as uow:
            replay = idempotency.claim(
                uow.connection,
                alliance_id="al_1",
                scope="demo",
                key="order-1",
                fingerprint=fingerprint,
                now=NOW,
            )
            if replay is not None:
                return {**replay, "replayed": True}
            response = {"receipt": "R-1"}
            idempotency.remember(
                uow.connection, alliance_id="al_1", scope="demo", key="order-1", response=response
            )
            uow.commit()
            return response

    assert command("same") == {"receipt": "R-1"}
    assert command("same") == {"receipt": "R-1", "replayed": True}
    with pytest.raises(IdempotencyConflict):
        command("different")


def test_the_same_key_in_another_alliance_is_independent(database):
    with SqlUnitOfWork(database) as uow:
        for alliance in ("al_1", "al_2"):
            assert (
                idempotency.claim(
                    uow.connection, alliance_id=alliance, scope="s", key="k", fingerprint="f", now=NOW
                )
                is None
            )
        uow.commit()


def test_concurrent_duplicates_of_one_key_do_the_work_once(pg_database):
    done: list[str] = []
    barrier = threading.Barrier(8)
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        with SqlUnitOfWork(pg_database) as uow:
            replay = idempotency.claim(
                uow.connection, alliance_id="al_1", scope="race", key="k", fingerprint="f", now=NOW
            )
            if replay is None:
                with lock:
                    done.append("work")
                idempotency.remember(
                    uow.connection, alliance_id="al_1", scope="race", key="k", response={"ok": True}
                )
                uow.commit()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert done == ["work"]
