"""Issue 12 item 1: an open period's activity stays in it; only closed periods' late entries
become corrections of a later period; periods close in time order."""

from __future__ import annotations

import pytest
from tests.integration.settlement.conftest import ALLIANCE, OPERATOR
from tests.integration.settlement.worked_example import FILM, GYM, TEA, november, shanghai

from guildcard.ledger import chart
from guildcard.settlement.domain.errors import EarlierPeriodOpen
from guildcard.settlement.domain.statement import Component
from guildcard.settlement.domain.terms import MemberSale

A = ALLIANCE


def december(ledger, clock, sales) -> None:
    clock.set(shanghai(3, month=12))
    ledger.award(A, member_id="ann", issuer=TEA, amount=30, idempotency_key="d1")
    sales.add(MemberSale("d1", "m_tea", 3000, shanghai(3, month=12), shanghai(3, month=12)))
    clock.set(shanghai(4, month=12))
    ledger.spend(A, member_id="bob", at=chart.merchant_redeemed("m_film"), amount=25, idempotency_key="d2")


def by_merchant(statements):
    return {s.merchant_id: s for s in statements}


def test_while_november_is_open_december_shows_only_december(settlement, ledger, clock, contracts, sales):
    november(ledger, clock, contracts, sales)
    december(ledger, clock, sales)
    clock.set(shanghai(5, month=12))

    nov = by_merchant(settlement.statements(OPERATOR, "2026-11"))
    dec = by_merchant(settlement.statements(OPERATOR, "2026-12"))
    assert all(ln.corrects is None for s in dec.values() for ln in s.lines)
    assert (dec["m_tea"].figures.points_issued, dec["m_tea"].figures.member_sales) == (30, 3000)
    assert dec["m_film"].figures.points_redeemed == 25
    assert dec["m_gym"].figures == type(dec["m_gym"].figures)()  # nothing happened at the gym
    assert nov["m_gym"].figures.points_issued == 800
    assert nov["m_gym"].figures.entry_fees == 50000  # the entry fee is November's, once
    assert dec["m_gym"].figures.entry_fees == 0

    flows = {(f.issuer, f.spent_at): f.points for f in settlement.flow_matrix(OPERATOR, "2026-12")}
    assert sum(flows.values()) == 25
    items = settlement.drill_down(OPERATOR, "2026-12", "m_tea", Component.COMMISSION)
    assert [i.ref for i in items] == ["d1"]
    issued = settlement.drill_down(OPERATOR, "2026-12", "m_tea", Component.ISSUE)
    assert sum(i.quantity for i in issued) == 30


def test_december_cannot_close_before_november(settlement, ledger, clock, contracts, sales):
    november(ledger, clock, contracts, sales)
    december(ledger, clock, sales)
    clock.set(shanghai(1, 9, month=1).replace(year=2027))
    with pytest.raises(EarlierPeriodOpen) as refused:
        settlement.close(OPERATOR, "2026-12")
    assert refused.value.code == "settlement.earlier_period_open"
    assert refused.value.details["earlier"] == "2026-11"

    settlement.close(OPERATOR, "2026-11")
    # A purchase of 29 November recorded after November's close is a correction in December.
    ledger.award(A, member_id="dan", issuer=GYM, amount=40, idempotency_key="late", occurred_at=shanghai(29))
    dec = by_merchant(settlement.close(OPERATOR, "2026-12").statements)
    assert {(ln.component, ln.quantity) for ln in dec["m_gym"].lines if ln.corrects == "2026-11"} == {
        (Component.ISSUE, 40)
    }
    assert dec["m_tea"].figures.points_issued == 30
    assert all(ln.corrects is None for ln in dec["m_tea"].lines)
    assert ledger.verify(A) == {A: []}


def test_an_empty_earlier_period_does_not_hold_a_close_back(settlement, ledger, clock):
    clock.set(shanghai(3, month=12))
    ledger.award(A, member_id="ann", issuer=FILM, amount=10, idempotency_key="x1")
    clock.set(shanghai(1, 9, month=1).replace(year=2027))
    result = settlement.close(OPERATOR, "2026-12")
    assert by_merchant(result.statements)["m_film"].figures.points_issued == 10
