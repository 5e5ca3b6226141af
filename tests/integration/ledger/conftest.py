"""A ledger service on each backend, an open alliance, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from guildcard.kernel.clock import FixedClock
from guildcard.ledger import AesGcmKeyStore, ExpiryPolicy, LedgerService, NegativePolicy

ALLIANCE = "al_chengdu"
START = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
KEYS = AesGcmKeyStore("test-data-key-0123456789abcdef0123456789")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def service(database, clock) -> LedgerService:
    svc = LedgerService(database, clock=clock, keys=KEYS)
    svc.open_alliance_ledger(
        ALLIANCE, expiry=ExpiryPolicy.rolling(30), negative=NegativePolicy.allow_negative(200)
    )
    return svc


@pytest.fixture
def strict_service(database, clock) -> LedgerService:
    """An alliance that refuses negative balances."""
    svc = LedgerService(database, clock=clock, keys=KEYS)
    svc.open_alliance_ledger(ALLIANCE, expiry=ExpiryPolicy.rolling(30), negative=NegativePolicy())
    return svc
