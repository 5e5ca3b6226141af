"""Bulk ingest: a POS uploads the sales it queued; each is recorded once, a bad one alone fails."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.integration.counter.conftest import HOTPOT_CASHIER, clean

from guildcard.counter.commands import MemberIdentity, PurchaseInput
from guildcard.counter.storage.tables import purchases
from guildcard.kernel.errors import GuildCardError
from guildcard.pipeline import outbox


def queued(counter, order_no: str, amount_fen: int, *, code: str | None = None) -> PurchaseInput:
    return PurchaseInput(
        "st_hotpot_1", order_no, amount_fen, MemberIdentity(member_code=code or counter.code())
    )


def recorded(counter) -> int:
    with counter.database.read() as conn:
        return conn.execute(
            select(func.count()).select_from(purchases).where(purchases.c.status != "claimed")
        ).scalar_one()


def test_a_batch_records_each_purchase_once_and_a_bad_one_fails_alone(counter):
    counter.buy(HOTPOT_CASHIER, "HP-OLD", 5000)  # recorded earlier, with another amount
    batch = [
        queued(counter, "HP-1", 10000),
        queued(counter, "HP-2", 20000),
        queued(counter, "HP-3", 10000, code="no-such-code"),
        queued(counter, "HP-OLD", 7000),
        queued(counter, "HP-4", 0),
    ]
    results = counter.service.commit_many(HOTPOT_CASHIER, batch)

    failed = {batch[i].order_no: r.code for i, r in enumerate(results) if isinstance(r, GuildCardError)}
    assert failed == {
        "HP-3": "members.code_invalid",
        "HP-OLD": "counter.order_conflict",
        "HP-4": "counter.invalid_amount",
    }
    earned = [r.receipt.points_earned for r in results if not isinstance(r, GuildCardError)]
    assert earned == [95, 190]
    assert recorded(counter) == 3  # HP-OLD, HP-1, HP-2: the failures left nothing behind
    assert counter.balance().available == 47 + 95 + 190
    with counter.database.read() as conn:
        names = [e.name for e in outbox.pending(conn, "al_chengdu")]
    assert names.count("counter.purchase_recorded") == 3
    clean(counter)


def test_the_same_batch_sent_again_replays_every_purchase_it_recorded(counter):
    batch = [queued(counter, f"HP-{i}", 10000) for i in range(3)]
    first = counter.service.commit_many(HOTPOT_CASHIER, batch)
    again = counter.service.commit_many(HOTPOT_CASHIER, batch)
    assert [r.replayed for r in first] == [False] * 3
    assert [r.replayed for r in again] == [True] * 3
    assert [r.receipt.purchase_id for r in again] == [r.receipt.purchase_id for r in first]
    assert recorded(counter) == 3
    assert counter.balance().available == 3 * 95
    clean(counter)


def test_an_order_number_twice_in_one_batch_is_recorded_once(counter):
    one = queued(counter, "HP-1", 10000)
    results = counter.service.commit_many(HOTPOT_CASHIER, [one, one])
    assert [r.replayed for r in results] == [False, True]
    assert recorded(counter) == 1
    clean(counter)
