"""Periods in Shanghai time and the pricing rules: terms per entry, one rounding per line."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from guildcard.settlement.domain.errors import InvalidPeriod
from guildcard.settlement.domain.periods import PeriodKind, parse_period, period_containing
from guildcard.settlement.domain.statement import Activity, Component, Source, postings, price
from guildcard.settlement.domain.terms import BreakageMode, SettlementTerms

EARLY = SettlementTerms(
    "v1", Decimal("0.333"), Decimal("0.25"), Decimal("0.015"), 7, 0, datetime(2026, 1, 1, tzinfo=UTC)
)
LATE = SettlementTerms(
    "v2", Decimal("0.5"), Decimal("0.25"), Decimal("0.015"), 7, 0, datetime(2026, 11, 16, tzinfo=UTC)
)


def in_force(_merchant: str, at: datetime) -> SettlementTerms:
    return LATE if at >= LATE.effective_from else EARLY


def test_a_month_runs_from_midnight_to_midnight_in_shanghai():
    november = parse_period("2026-11")
    assert november.starts_at == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert november.ends_at == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert period_containing(PeriodKind.MONTH, datetime(2026, 11, 30, 16, tzinfo=UTC)).key == "2026-12"
    assert parse_period("2026-W48").first_day.isoformat() == "2026-11-23"
    assert parse_period("2026-11-23").ends_at == datetime(2026, 11, 23, 16, tzinfo=UTC)
    with pytest.raises(InvalidPeriod):
        parse_period("2026-13")
    with pytest.raises(InvalidPeriod):
        parse_period("November")


def test_each_line_is_priced_with_its_terms_and_rounded_once_half_up():
    nov = datetime(2026, 11, 3, tzinfo=UTC)
    rows = [Activity(Source.ISSUED, "m", f"e{n}", nov, 1) for n in range(3)]  # 3 × 0.333 = 0.999 -> 1, not 0
    rows.append(Activity(Source.ISSUED, "m", "e9", datetime(2026, 11, 20, tzinfo=UTC), 3))  # 1.5 -> 2
    lines = price(rows, in_force, breakage=BreakageMode.PLATFORM)["m"].lines
    assert [(ln.terms_version, ln.quantity, ln.amount) for ln in lines] == [("v1", 3, 1), ("v2", 3, 2)]


def test_settlement_postings_balance_and_breakage_follows_the_setting():
    nov = datetime(2026, 11, 3, tzinfo=UTC)
    rows = [
        Activity(Source.ISSUED, "m", "e1", nov, 100),
        Activity(Source.REDEEMED, "m", "e2", nov, 40),
        Activity(Source.GRANT_REDEEMED, "m", "e2", nov, 8),
        Activity(Source.REDEMPTION, "m", "e2", nov, 1),
        Activity(Source.EXPIRED, "m", "e3", nov, 30),
    ]
    for mode in BreakageMode:
        statement = price(rows, in_force, breakage=mode)["m"]
        moves = dict(postings("m", statement.lines, breakage=mode))
        assert sum(moves.values()) == 0
        assert moves["merchant:m:settlement"] == statement.figures.net
        share = statement.figures.breakage_share
        assert share == (10 if mode is BreakageMode.ISSUERS_PRO_RATA else 0)  # 30 × 0.333 = 9.99 -> 10
        assert statement.figures.net == 33 - 10 + 7 - share
        assert statement.figures.grant_funded == 2
    assert {ln.component for ln in statement.lines} >= {Component.ISSUE, Component.BREAKAGE}
