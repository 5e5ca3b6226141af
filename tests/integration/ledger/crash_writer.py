"""A writer for the crash test: awards and spends in a loop, printing each entry id after commit."""

from __future__ import annotations

import sys

from guildcard.db.engine import Database
from guildcard.kernel.clock import SystemClock
from guildcard.ledger import AesGcmKeyStore, LedgerService, chart


def main(url: str, alliance: str) -> None:
    service = LedgerService(
        Database(url), clock=SystemClock(), keys=AesGcmKeyStore("crash-key-0000000000000000000000")
    )
    n = 0
    while True:
        member = f"m{n % 5}"
        result = service.award(
            alliance, member_id=member, issuer=chart.merchant_issued("a"), amount=10, idempotency_key=f"a{n}"
        )
        print(result.entry_id, flush=True)  # acknowledged: the unit of work has committed
        if n % 3 == 2:
            result = service.spend(
                alliance, member_id=member, at=chart.merchant_redeemed("b"), amount=4, idempotency_key=f"s{n}"
            )
            print(result.entry_id, flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
