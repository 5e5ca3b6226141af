"""The worked example of docs/settlement.md: three merchants, November 2026."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.settlement.conftest import ALLIANCE, terms

from guildcard.kernel.clock import FixedClock
from guildcard.ledger import LedgerService, chart
from guildcard.settlement.domain.terms import MemberSale
from guildcard.settlement.memory import InMemorySales, InMemoryTerms

A = ALLIANCE
TEA, GYM, FILM = (
    chart.merchant_issued("m_tea"),
    chart.merchant_issued("m_gym"),
    chart.merchant_issued("m_film"),
)


def shanghai(day: int, hour: int = 12, month: int = 11) -> datetime:
    """``day`` of November 2026 at ``hour`` in Shanghai, as UTC."""
    return datetime(2026, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


def sale(sales: InMemorySales, sale_id: str, merchant: str, fen: int, at: datetime) -> None:
    sales.add(MemberSale(sale_id, merchant, fen, at, at))


def november(
    ledger: LedgerService, clock: FixedClock, contracts: InMemoryTerms, sales: InMemorySales
) -> dict:
    """Play the month; return the entry ids the story refers to."""
    contracts.add(
        "m_film",
        "Cinema",
        terms("film-2", issue="1.05", reimburse="0.85", rate="0.015", fee=5, since=shanghai(16, 0)),
    )
    ids = {}

    def at(day: int) -> datetime:
        clock.set(shanghai(day))
        return shanghai(day)

    at(3)
    ids["ann_tea"] = ledger.award(A, member_id="ann", issuer=TEA, amount=120, idempotency_key="p1").entry_id
    sale(sales, "p1", "m_tea", 12000, shanghai(3))
    at(4)
    ledger.award(A, member_id="cara", issuer=FILM, amount=211, idempotency_key="p2")
    sale(sales, "p2", "m_film", 21100, shanghai(4))
    at(5)
    ledger.award(A, member_id="bob", issuer=GYM, amount=800, idempotency_key="p3")
    sale(sales, "p3", "m_gym", 80000, shanghai(5))
    at(8)
    ledger.spend(A, member_id="ann", at=chart.merchant_redeemed("m_film"), amount=100, idempotency_key="s1")
    at(10)
    ledger.award(A, member_id="bob", issuer=chart.PLATFORM_GRANTS, amount=50, idempotency_key="checkin-bob")
    at(12)
    ids["bob_tea"] = ledger.spend(
        A, member_id="bob", at=chart.merchant_redeemed("m_tea"), amount=820, idempotency_key="s2"
    ).entry_id
    at(18)
    ledger.award(A, member_id="cara", issuer=FILM, amount=333, idempotency_key="p4")
    sale(sales, "p4", "m_film", 33300, shanghai(18))
    at(25)
    ledger.spend(A, member_id="cara", at=chart.merchant_redeemed("m_gym"), amount=200, idempotency_key="s3")
    at(26)
    ledger.reverse(A, ids["ann_tea"], amount=20, idempotency_key="refund-p1")
    sale(sales, "p1-refund", "m_tea", -2000, shanghai(26))
    return ids
