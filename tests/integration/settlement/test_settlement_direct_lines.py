"""Direct lines: money another context moved on a merchant's settlement account as it happened.

A hot-pot coupon funded by the tea house is used at the cinema: the tea house owes the alliance
¥5.00, the alliance owes the cinema ¥5.00, posted as one FEN entry of kind ``coupon_funding``.
The statements show one line per kind with the count and sum, the nets include them, and the
closing entry does not post them a second time.
"""

from __future__ import annotations

from tests.integration.settlement.conftest import ALLIANCE, OPERATOR, staff
from tests.integration.settlement.worked_example import shanghai

from guildcard.ledger import chart
from guildcard.ledger.domain.entries import Posting, Unit
from guildcard.settlement.domain.direct import label
from guildcard.settlement.domain.statement import Component

A = ALLIANCE


def fund_coupon(ledger, key: str, payer: str, payee: str, fen: int):
    return ledger.post(
        A, kind="coupon_funding", idempotency_key=key, reference=f"cpn_{key}",
        postings=[
            Posting(chart.merchant_settlement(payer), Unit.FEN, fen),
            Posting(chart.merchant_settlement(payee), Unit.FEN, -fen),
        ],
    )  # fmt: skip


def test_coupon_funding_shows_as_one_direct_line_per_kind_and_is_not_posted_twice(settlement, ledger, clock):
    clock.set(shanghai(3))
    fund_coupon(ledger, "1", "m_tea", "m_film", 500)
    clock.set(shanghai(4))
    fund_coupon(ledger, "2", "m_tea", "m_film", 300)
    clock.set(shanghai(1, 9, month=12))

    preview = {s.merchant_id: s for s in settlement.statements(OPERATOR, "2026-11")}
    tea = [ln for ln in preview["m_tea"].lines if ln.component is Component.DIRECT]
    film = [ln for ln in preview["m_film"].lines if ln.component is Component.DIRECT]
    assert [(ln.kind, ln.quantity, ln.amount) for ln in tea] == [("coupon_funding", 2, 800)]
    assert [(ln.kind, ln.quantity, ln.amount) for ln in film] == [("coupon_funding", 2, -800)]
    assert preview["m_tea"].figures.direct == 800
    assert preview["m_tea"].figures.net == 800
    assert preview["m_film"].figures.net == -800
    assert label("coupon_funding") == "优惠券补贴结算"
    assert label("coupon_funding", "en") == "coupon funding"

    drill = settlement.drill_down(staff("m_tea"), "2026-11", "m_tea", Component.DIRECT)
    assert [item.quantity for item in drill] == [500, 300]

    closed = {s.merchant_id: s for s in settlement.close(OPERATOR, "2026-11").statements}
    assert closed["m_tea"].figures.net == 800
    # The funding entries already moved the money: the settlement accounts hold it exactly once.
    queries = ledger.queries(A)
    assert queries.account_balance(chart.merchant_settlement("m_tea")) == 800
    assert queries.account_balance(chart.merchant_settlement("m_film")) == -800
    assert ledger.verify(A) == {A: []}
