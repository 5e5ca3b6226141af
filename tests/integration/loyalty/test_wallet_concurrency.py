"""Twenty simultaneous wallet payments on one wallet (PostgreSQL): never an overspend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import AesGcmKeyStore, LedgerService
from guildcard.ledger.handlers import handlers as ledger_handlers
from guildcard.loyalty.domain.errors import WalletInsufficient
from guildcard.loyalty.handlers import handlers as loyalty_handlers
from guildcard.loyalty.tier_handlers import LoyaltyDeps
from guildcard.loyalty.wallet_service import WalletService
from guildcard.pipeline import CommandBus

ALLIANCE = "al_chengdu"
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
BAKERY = Actor(ActorKind.STAFF, "stf_bakery", ALLIANCE, role="cashier", merchant_id="mch_bakery")
KTV = Actor(ActorKind.STAFF, "stf_ktv", ALLIANCE, role="cashier", merchant_id="mch_ktv")


def test_twenty_simultaneous_payments_never_overspend_one_wallet(pg_database):
    clock = FixedClock(NOW)
    bus = CommandBus(pg_database, clock, [loyalty_handlers, ledger_handlers])
    bus.provide("loyalty", LoyaltyDeps())
    LedgerService(pg_database, clock=clock, keys=AesGcmKeyStore("k" * 40), bus=bus).open_alliance_ledger(
        ALLIANCE
    )
    wallets = WalletService(pg_database, clock, bus=bus)
    wallets.top_up(BAKERY, member_id="mem_li", merchant_id="mch_bakery", pay_fen=55_000, idempotency_key="t1")

    barrier = threading.Barrier(20)
    paid: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []

    def pay(i: int) -> None:
        barrier.wait()
        try:
            wallets.pay(
                KTV, member_id="mem_li", merchant_id="mch_ktv", amount_fen=10_000, idempotency_key=f"w{i}"
            )
            paid.append(i)
        except WalletInsufficient:
            refused.append(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (len(paid), len(refused)) == (5, 15)  # ¥550 pays five ¥100 bills, not six
    assert wallets.balance(alliance_id=ALLIANCE, member_id="mem_li").principal == 5_000
    assert wallets.verify(alliance_id=ALLIANCE) == []
