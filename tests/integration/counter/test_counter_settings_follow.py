"""An operator changes the ledger's policies in another process: the counter follows at once.

The counter keeps the alliance's ledger settings in a per-process cache. The change is made
by a separate Python process (as another worker of ``guildcard serve`` would), so only the
configuration version in the database can tell this process that its copy is stale.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from tests.integration.counter.conftest import ALLIANCE, CINEMA_CASHIER, HOTPOT_CASHIER, HOTPOT_OWNER, clean

from guildcard.ledger.domain.errors import NegativeLimitExceeded

CHANGE_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import sys
    from guildcard.db.engine import Database
    from guildcard.kernel.clock import SystemClock
    from guildcard.ledger import AesGcmKeyStore, LedgerService, NegativePolicy

    ledger = LedgerService(Database(sys.argv[1]), clock=SystemClock(), keys=AesGcmKeyStore("x" * 40))
    ledger.update_policies(sys.argv[2], negative=NegativePolicy.allow_negative(200))
    """
)


def change_policy_elsewhere(database) -> None:
    url = database.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-c", CHANGE_IN_ANOTHER_PROCESS, url, ALLIANCE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_negative_balance_policy_changed_in_another_process_applies_to_the_next_refund(strict_counter):
    counter = strict_counter
    counter.buy(HOTPOT_CASHIER, "HP-1001", 20000)
    counter.buy(CINEMA_CASHIER, "CN-77", 3000, points=150)
    with pytest.raises(NegativeLimitExceeded):  # "block": the cached settings now hold this policy
        counter.refund(HOTPOT_CASHIER, "HP-1001", "RF-1", 19000)
    loads = counter.service.deps.ledger.settings.loads

    change_policy_elsewhere(counter.database)

    refund = counter.refund(HOTPOT_OWNER, "HP-1001", "RF-1", 19000).receipt  # below zero: the owner
    assert refund.points_clawed_back == 190
    assert counter.balance().debt == 190 - 97
    assert counter.service.deps.ledger.settings.loads == loads + 1  # reloaded once, not on every command
    counter.buy(HOTPOT_CASHIER, "HP-1002", 1000)
    assert counter.service.deps.ledger.settings.loads == loads + 1
    clean(counter)
