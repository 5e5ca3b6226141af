"""A ledger and a settlement service on each backend, three merchants under contract, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import AesGcmKeyStore, ExpiryPolicy, LedgerService
from guildcard.settlement.admin import SettlementAdmin
from guildcard.settlement.domain.terms import SettlementTerms
from guildcard.settlement.handlers import SettlementDeps
from guildcard.settlement.memory import InMemorySales, InMemoryTerms
from guildcard.settlement.service import SettlementService

ALLIANCE = "al_chengdu"
KEYS = AesGcmKeyStore("test-data-key-0123456789abcdef0123456789")
NOV_1 = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai
OPERATOR = Actor(kind=ActorKind.OPERATOR, id="op_1", alliance_id=ALLIANCE, role="admin")


def terms(
    version: str,
    *,
    issue: str = "1",
    reimburse: str = "0.8",
    rate: str = "0.02",
    fee: int = 0,
    entry: int = 0,
    since: datetime = datetime(2026, 1, 1, tzinfo=UTC),
) -> SettlementTerms:
    return SettlementTerms(version, Decimal(issue), Decimal(reimburse), Decimal(rate), fee, entry, since)


def staff(merchant_id: str, role: str = "owner", alliance_id: str = ALLIANCE) -> Actor:
    return Actor(
        kind=ActorKind.STAFF,
        id=f"st_{merchant_id}",
        alliance_id=alliance_id,
        role=role,
        merchant_id=merchant_id,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOV_1.replace(hour=18))


@pytest.fixture
def ledger(database, clock) -> LedgerService:
    svc = LedgerService(database, clock=clock, keys=KEYS)
    svc.open_alliance_ledger(ALLIANCE, expiry=ExpiryPolicy.rolling(365))
    return svc


@pytest.fixture
def contracts() -> InMemoryTerms:
    book = InMemoryTerms(alliance_id=ALLIANCE)
    book.add("m_tea", "Tea House", terms("tea-1", issue="1", reimburse="0.8", rate="0.02", fee=10))
    book.add("m_gym", "Gym", terms("gym-1", issue="1.25", reimburse="0.9", rate="0.03", entry=50000))
    book.add("m_film", "Cinema", terms("film-1", issue="0.95", reimburse="0.85", rate="0.015", fee=5))
    return book


@pytest.fixture
def sales() -> InMemorySales:
    return InMemorySales(alliance_id=ALLIANCE)


@pytest.fixture
def settlement(database, clock, ledger, contracts, sales) -> SettlementService:
    return SettlementService(database, clock=clock, terms=contracts, sales=sales, keys=KEYS)


@pytest.fixture
def admin(database, clock, contracts, sales) -> SettlementAdmin:
    return SettlementAdmin(database, clock=clock, deps=SettlementDeps(contracts, sales, KEYS, clock))
