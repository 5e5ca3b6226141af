"""Settlement's stories on SQLite and PostgreSQL: the worked example, close once, late corrections."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.integration.settlement.conftest import ALLIANCE, OPERATOR, staff
from tests.integration.settlement.worked_example import GYM, november, shanghai

from guildcard.ledger import chart
from guildcard.ledger.checkpoints import proof_holds
from guildcard.ledger.storage.tables import postings
from guildcard.settlement.domain.errors import EntryNotInStatement, PeriodNotOver, StatementNotFound
from guildcard.settlement.domain.statement import Component
from guildcard.settlement.domain.terms import MemberSale

A = ALLIANCE


def by_merchant(statements):
    return {s.merchant_id: s for s in statements}


def test_the_worked_example_of_november(settlement, ledger, clock, contracts, sales):
    november(ledger, clock, contracts, sales)
    clock.set(shanghai(1, 9, month=12))
    result = settlement.close(OPERATOR, "2026-11")
    s = by_merchant(result.statements)
    tea, gym, film = s["m_tea"].figures, s["m_gym"].figures, s["m_film"].figures

    assert (tea.points_issued, tea.issue_value) == (100, 100)
    assert (tea.points_redeemed, tea.reimbursement, tea.grant_funded) == (820, 656, 16)
    assert (tea.member_sales, tea.commission, tea.redemptions, tea.redemption_fees) == (10000, 200, 1, 10)
    assert tea.net == 100 + 200 + 10 - 656 == -346

    assert (gym.points_issued, gym.issue_value, gym.points_redeemed, gym.reimbursement) == (
        800,
        1000,
        200,
        180,
    )
    assert (gym.commission, gym.entry_fees) == (2400, 50000)
    assert gym.net == 1000 + 2400 + 50000 - 180 == 53220

    # Cinema's contract changed on the 16th: each version is its own line, rounded once, half-up.
    assert (film.points_issued, film.issue_value) == (544, 200 + 350)
    assert film.commission == 317 + 500  # 316.5 -> 317 and 499.5 -> 500
    assert (film.reimbursement, film.redemption_fees) == (85, 5)
    assert film.net == 550 + 817 + 5 - 85 == 1287

    entries = {st.merchant_id: st.ledger_entry_id for st in result.statements}
    platform = sum(_platform_postings(settlement, entries.values()))
    assert tea.net + gym.net + film.net + platform == 0
    assert ledger.verify(A) == {A: []}


def _platform_postings(settlement, entry_ids):
    with settlement.database.read() as conn:
        rows = conn.execute(
            select(postings.c.amount).where(
                postings.c.alliance_id == A,
                postings.c.entry_id.in_(list(entry_ids)),
                postings.c.account.like("platform:%"),
            )
        )
        return [int(r[0]) for r in rows]


def test_a_period_closes_once_and_a_late_entry_lands_in_the_next_one(
    settlement, ledger, clock, contracts, sales
):
    november(ledger, clock, contracts, sales)
    clock.set(shanghai(1, 9, month=12))
    first = settlement.close(OPERATOR, "2026-11")
    # A backfilled purchase of 29 November recorded on 2 December, after the close.
    clock.set(shanghai(2, 10, month=12))
    ledger.award(A, member_id="dan", issuer=GYM, amount=40, idempotency_key="late", occurred_at=shanghai(29))
    sales.add(MemberSale("late", "m_gym", 4000, shanghai(29), shanghai(2, 10, month=12)))

    again = settlement.close(OPERATOR, "2026-11")
    assert again.replayed
    assert [x.figures for x in again.statements] == [x.figures for x in first.statements]
    assert by_merchant(settlement.statements(OPERATOR, "2026-11"))["m_gym"].figures.points_issued == 800

    clock.set(shanghai(1, 9, month=1).replace(year=2027))
    december = by_merchant(settlement.close(OPERATOR, "2026-12").statements)["m_gym"]
    corrections = [ln for ln in december.lines if ln.corrects == "2026-11"]
    assert {(ln.component, ln.quantity, ln.amount) for ln in corrections} == {
        (Component.ISSUE, 40, 50),
        (Component.COMMISSION, 4000, 120),
    }
    assert december.figures.entry_fees == 0  # charged once, in November
    assert ledger.verify(A) == {A: []}


def test_a_period_that_has_not_ended_cannot_close(settlement, clock):
    clock.set(shanghai(30, 23))
    with pytest.raises(PeriodNotOver):
        settlement.close(OPERATOR, "2026-11")


def test_every_figure_drills_down_to_the_entries_behind_it(settlement, ledger, clock, contracts, sales):
    ids = november(ledger, clock, contracts, sales)
    clock.set(shanghai(1, 9, month=12))
    for status in ("open", "closed"):
        if status == "closed":
            settlement.close(OPERATOR, "2026-11")
        for st in settlement.statements(OPERATOR, "2026-11"):
            assert st.status == status
            for component, figure in [
                (Component.ISSUE, st.figures.points_issued),
                (Component.REIMBURSEMENT, st.figures.points_redeemed),
                (Component.REDEMPTION_FEE, st.figures.redemptions),
                (Component.COMMISSION, st.figures.member_sales),
            ]:
                items = settlement.drill_down(OPERATOR, "2026-11", st.merchant_id, component)
                assert sum(i.quantity for i in items) == figure
    tea_redeemed = settlement.drill_down(OPERATOR, "2026-11", "m_tea", Component.REIMBURSEMENT)
    assert [i.ref for i in tea_redeemed] == [ids["bob_tea"]]


def test_a_merchant_sees_only_its_own_statements_and_can_prove_its_entries(
    settlement, ledger, clock, contracts, sales
):
    ids = november(ledger, clock, contracts, sales)
    clock.set(shanghai(1, 9, month=12))
    settlement.close(OPERATOR, "2026-11")
    owner = staff("m_tea")
    assert [s.merchant_id for s in settlement.statements(owner, "2026-11")] == ["m_tea"]
    with pytest.raises(StatementNotFound):
        settlement.statement(owner, "2026-11", "m_gym")
    with pytest.raises(StatementNotFound):
        settlement.statement(staff("m_tea", alliance_id="al_other"), "2026-11", "m_tea")
    with pytest.raises(StatementNotFound):
        settlement.statement(staff("m_tea", role="cashier"), "2026-11", "m_tea")

    statement = settlement.statement(owner, "2026-11", "m_tea")
    proof = settlement.proof(owner, "2026-11", "m_tea", ids["bob_tea"])
    assert proof_holds(proof)
    assert proof.root == statement.checkpoint_root  # the root printed on the statement
    settled = settlement.proof(owner, "2026-11", "m_tea", statement.ledger_entry_id)
    assert proof_holds(settled)
    with pytest.raises(EntryNotInStatement):
        settlement.proof(owner, "2026-11", "m_tea", "ent_not_mine")


def test_the_flow_matrix_shows_who_brings_customers_to_whom(settlement, ledger, clock, contracts, sales):
    november(ledger, clock, contracts, sales)
    flows = {(f.issuer, f.spent_at): f.points for f in settlement.flow_matrix(OPERATOR, "2026-11")}
    assert flows == {
        ("m_tea", "m_film"): 100,
        ("m_gym", "m_tea"): 800,
        ("platform", "m_tea"): 20,
        ("m_film", "m_gym"): 200,
    }
    assert ledger.queries(A).account_balance(chart.merchant_redeemed("m_tea")) == 820
