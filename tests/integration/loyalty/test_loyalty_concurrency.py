"""Concurrent operators on PostgreSQL: no settings change is lost."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from guildcard.kernel.clock import FixedClock
from guildcard.loyalty.service import LoyaltyService

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_concurrent_changes_to_different_settings_all_persist(pg_database):
    loyalty = LoyaltyService(pg_database, FixedClock(NOW))
    changes = [
        {"pending_days": 7},
        {"only_members_earn": True},
        {"daily_cap": 900},
        {"transaction_cap": 300},
        {"backfill_window_days": 10},
        {"min_order_for_redeem_fen": 2_000},
    ]
    barrier = threading.Barrier(len(changes))
    errors: list[BaseException] = []

    def change(index: int) -> None:
        barrier.wait()
        try:
            loyalty.update_settings(
                alliance_id="al_1", changes=changes[index], actor_id="usr_op", idempotency_key=f"k{index}"
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(i,)) for i in range(len(changes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = loyalty.get_settings(alliance_id="al_1")
    assert stored.pending_days == 7
    assert stored.only_members_earn is True
    assert (stored.daily_cap, stored.transaction_cap) == (900, 300)
    assert (stored.backfill_window_days, stored.min_order_for_redeem_fen) == (10, 2_000)
