"""PostgreSQL: many threads at one member's points; duplicates of one idempotency key."""

from __future__ import annotations

import threading

from sqlalchemy import text

from guildcard.kernel.clock import SystemClock
from guildcard.kernel.errors import GuildCardError
from guildcard.ledger import AesGcmKeyStore, LedgerService, NegativePolicy, chart
from guildcard.ledger.domain.errors import InsufficientPoints

A = "al_race"
THREADS = 8


def service_for(database) -> LedgerService:
    svc = LedgerService(
        database, clock=SystemClock(), keys=AesGcmKeyStore("race-key-000000000000000000000000")
    )
    svc.open_alliance_ledger(A, negative=NegativePolicy())
    return svc


def run_threads(target, count: int = THREADS) -> None:
    barrier = threading.Barrier(count)

    def start(n: int) -> None:
        barrier.wait()
        target(n)

    threads = [threading.Thread(target=start, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_eight_threads_spending_a_scarce_balance_never_overspend(pg_database):
    service = service_for(pg_database)
    for n in range(3):  # three lots, so spends cross lot boundaries
        service.award(
            A, member_id="lily", issuer=chart.merchant_issued(f"m{n}"), amount=100, idempotency_key=f"o{n}"
        )
    spent, refused = [], []
    lock = threading.Lock()

    def spender(n: int) -> None:
        for attempt in range(10):
            try:
                service.spend(
                    A,
                    member_id="lily",
                    at=chart.merchant_redeemed("cinema"),
                    amount=7,
                    idempotency_key=f"s{n}-{attempt}",
                )
                with lock:
                    spent.append(7)
            except InsufficientPoints:
                with lock:
                    refused.append(n)

    run_threads(spender)
    assert sum(spent) <= 300
    assert 300 - sum(spent) < 7  # every spend that fit went through
    assert refused  # 8 x 10 x 7 = 560 asked for, only 300 there
    assert service.queries(A).balance("lily").available == 300 - sum(spent)
    with pg_database.read() as conn:
        spends = conn.execute(text("SELECT count(*) FROM ledger_entries WHERE kind = 'spend'")).scalar_one()
    assert spends * 7 == sum(spent)
    assert service.verify(A) == {A: []}


def test_concurrent_duplicates_of_one_key_write_exactly_one_entry(pg_database):
    service = service_for(pg_database)
    service.award(A, member_id="lily", issuer=chart.merchant_issued("m"), amount=100, idempotency_key="seed")
    results = []
    lock = threading.Lock()

    def duplicate(_: int) -> None:
        result = service.spend(
            A, member_id="lily", at=chart.merchant_redeemed("c"), amount=30, idempotency_key="tap"
        )
        with lock:
            results.append(result)

    run_threads(duplicate)
    assert len({r.entry_id for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * (THREADS - 1)
    assert service.queries(A).balance("lily").available == 70
    with pg_database.read() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM ledger_entries WHERE kind = 'spend'")).scalar_one() == 1
        )
    assert service.verify(A) == {A: []}


def test_concurrent_partial_refunds_never_exceed_the_spend(pg_database):
    service = service_for(pg_database)
    service.award(A, member_id="lily", issuer=chart.merchant_issued("m"), amount=100, idempotency_key="seed")
    spend = service.spend(
        A, member_id="lily", at=chart.merchant_redeemed("c"), amount=50, idempotency_key="pay"
    )
    done, refused = [], []
    lock = threading.Lock()

    def refund(n: int) -> None:
        try:
            service.reverse(A, spend.entry_id, amount=15, idempotency_key=f"refund-{n}")
            with lock:
                done.append(n)
        except GuildCardError as exc:
            with lock:
                refused.append(exc.code)

    run_threads(refund)
    assert len(done) == 3  # 3 x 15 <= 50 < 4 x 15
    assert set(refused) == {"ledger.reversal_exceeds_original"}
    assert service.queries(A).balance("lily").available == 95
    assert service.verify(A) == {A: []}
