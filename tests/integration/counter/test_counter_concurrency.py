"""PostgreSQL only: a double-click records one purchase; grouped commits keep each request apart."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from tests.integration.counter.conftest import ALLIANCE, HOTPOT_CASHIER, make_counter
from tests.support import postgres

from guildcard.bootstrap import bootstrap
from guildcard.counter.commands import MemberIdentity, PurchaseInput
from guildcard.counter.domain.errors import PointsExceedBalance
from guildcard.counter.handlers import handlers
from guildcard.counter.service import CounterService
from guildcard.counter.storage.tables import purchases
from guildcard.ledger import NegativePolicy
from guildcard.pipeline import CommandBus
from guildcard.pipeline.group import GroupCommitter
from guildcard.settings import load_settings


def purchase_count(database) -> int:
    with database.read() as conn:
        return conn.execute(select(func.count()).select_from(purchases)).scalar_one()


def test_the_same_commit_sent_twice_at_once_records_one_purchase(pg_database):
    counter = make_counter(pg_database, negative=NegativePolicy())
    request = PurchaseInput("st_hotpot_1", "HP-1", 20000, MemberIdentity(member_code=counter.code()))
    start = threading.Barrier(2)

    def click():
        start.wait()
        return counter.service.commit(HOTPOT_CASHIER, request)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: click(), range(2)))
    assert sorted(r.replayed for r in results) == [False, True]
    assert results[0].receipt.purchase_id == results[1].receipt.purchase_id
    assert purchase_count(pg_database) == 1
    assert counter.balance().available == 190
    assert counter.ledger.verify(ALLIANCE) == {ALLIANCE: []}


def test_grouped_commits_each_keep_their_own_outcome(pg_database):
    counter = make_counter(pg_database, negative=NegativePolicy())
    committer = GroupCommitter(pg_database, max_wait=0.02)
    bus = CommandBus(pg_database, counter.clock, [handlers], committer=committer)
    grouped = CounterService(pg_database, counter.clock, counter.ports.ports(), bus=bus)
    requests = [
        PurchaseInput("st_hotpot_1", f"HP-{i}", 10000, MemberIdentity(member_code=counter.code()))
        for i in range(6)
    ]
    requests.append(requests[0])  # a double-click inside the same group
    requests.append(  # points Lily does not have: fails alone
        PurchaseInput(
            "st_hotpot_1", "HP-X", 10000, MemberIdentity(member_code=counter.code()), points_to_use=100_000
        )
    )

    def send(request):
        try:
            return grouped.commit(HOTPOT_CASHIER, request)
        except PointsExceedBalance as exc:
            return exc

    try:
        with ThreadPoolExecutor(len(requests)) as pool:
            results = list(pool.map(send, requests))
    finally:
        committer.close()
    assert isinstance(results[-1], PointsExceedBalance)
    assert sum(1 for r in results[:-1] if r.replayed) == 1
    assert purchase_count(pg_database) == 6
    assert counter.balance().available == 6 * 95
    assert committer.batches < len(requests)  # some requests shared a transaction
    assert counter.ledger.verify(ALLIANCE) == {ALLIANCE: []}


@pytest.mark.parametrize("clicks", [4])
def test_many_clicks_on_one_order_still_record_one_purchase(pg_database, clicks):
    counter = make_counter(pg_database, negative=NegativePolicy())
    request = PurchaseInput("st_hotpot_1", "HP-1", 20000, MemberIdentity(member_code=counter.code()))
    with ThreadPoolExecutor(clicks) as pool:
        results = list(pool.map(lambda _: counter.service.commit(HOTPOT_CASHIER, request), range(clicks)))
    assert [r.replayed for r in results].count(False) == 1
    assert purchase_count(pg_database) == 1


@pytest.mark.parametrize("switched_on", [True, False])
def test_serve_groups_counter_commits_only_when_switched_on_and_on_postgresql(
    monkeypatch, tmp_path, switched_on
):
    """``GUILDCARD_GROUP_COMMIT`` switches group commit on for PostgreSQL; SQLite never groups."""
    monkeypatch.setenv("GUILDCARD_GROUP_COMMIT", "true" if switched_on else "false")
    on_sqlite = bootstrap(load_settings(env="development", database_url=f"sqlite:///{tmp_path}/g.db"))
    try:
        assert on_sqlite.counter_group_commit is False
    finally:
        on_sqlite.close()
    if postgres.server_available() is not None:
        pytest.skip("PostgreSQL at 127.0.0.1:5432")
    url = postgres.ADMIN_DSN.replace("postgresql://", "postgresql+psycopg://", 1)
    on_pg = bootstrap(load_settings(env="development", database_url=url))
    try:
        assert on_pg.counter_group_commit is switched_on
        assert (on_pg.counter_committer is not None) is switched_on
    finally:
        on_pg.close()
