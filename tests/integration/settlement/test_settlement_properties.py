"""Properties of settlement on random histories, on SQLite and PostgreSQL.

Awards at random merchants, spends at others, platform grants, reversals and expiry, spread
over two months with late entries; then the periods are closed in order. Every time:
nets and platform accounts sum to zero; closing again changes nothing; every figure equals
the sum of its drill-down; the flow matrix adds up to the points redeemed.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests.integration.settlement.conftest import OPERATOR, terms
from tests.integration.settlement.worked_example import shanghai

from guildcard.kernel.clock import FixedClock
from guildcard.kernel.ids import new_id
from guildcard.ledger import AesGcmKeyStore, ExpiryPolicy, LedgerService, chart
from guildcard.ledger.domain.errors import AlreadyReversed, InsufficientPoints, NegativeLimitExceeded
from guildcard.ledger.storage.tables import postings
from guildcard.settlement.admin import SettlementAdmin
from guildcard.settlement.domain.statement import Component
from guildcard.settlement.domain.terms import BreakageMode
from guildcard.settlement.memory import InMemorySales, InMemoryTerms
from guildcard.settlement.service import SettlementService

A = OPERATOR.alliance_id
MERCHANTS = ["m_a", "m_b", "m_c"]
KEYS = AesGcmKeyStore("test-data-key-0123456789abcdef0123456789")

step = st.one_of(
    st.tuples(st.just("award"), st.sampled_from(MERCHANTS), st.integers(1, 300)),
    st.tuples(st.just("grant"), st.just("platform"), st.integers(1, 100)),
    st.tuples(st.just("spend"), st.sampled_from(MERCHANTS), st.integers(1, 200)),
    st.tuples(st.just("reverse"), st.just(""), st.integers(1, 50)),
    st.tuples(st.just("expire"), st.just(""), st.just(0)),
)
history = st.lists(
    st.tuples(step, st.sampled_from(["ann", "bob"]), st.integers(0, 55), st.booleans()),
    min_size=3,
    max_size=14,
)


def fresh(database):
    """A new alliance per example (the database is shared by the examples of one test)."""
    alliance = new_id("al")
    clock = FixedClock(shanghai(1, 8))
    ledger = LedgerService(database, clock=clock, keys=KEYS)
    ledger.open_alliance_ledger(alliance, expiry=ExpiryPolicy.rolling(20))
    book = InMemoryTerms()
    for n, m in enumerate(MERCHANTS):
        book.add(
            m,
            m.upper(),
            terms(f"{m}-1", issue=str(1 + n / 4), reimburse="0.85", rate="0.02", fee=n * 3, entry=100 * n),
        )
        book.add(
            m,
            m.upper(),
            terms(f"{m}-2", issue="1.333", reimburse="0.777", rate="0.025", fee=2, since=shanghai(20)),
        )
    service = SettlementService(database, clock=clock, terms=book, sales=InMemorySales(), keys=KEYS)
    return alliance, clock, ledger, service


def play(ledger, clock, alliance, steps) -> None:
    # Days 0..55 from 1 November, recorded up to 3 days late: everything happens before 2027.
    done: list[str] = []
    for n, ((what, who, amount), member, day, late) in enumerate(steps):
        at = shanghai(1, 10) + timedelta(days=day, minutes=n)
        clock.set(at + (timedelta(days=3) if late else timedelta(0)))  # recorded later than it occurred
        key = f"k{n}"
        try:
            if what == "award":
                done.append(
                    ledger.award(
                        alliance,
                        member_id=member,
                        issuer=chart.merchant_issued(who),
                        amount=amount,
                        idempotency_key=key,
                        occurred_at=at,
                    ).entry_id
                )
            elif what == "grant":
                ledger.award(
                    alliance,
                    member_id=member,
                    issuer=chart.PLATFORM_GRANTS,
                    amount=amount,
                    idempotency_key=key,
                    occurred_at=at,
                )
            elif what == "spend":
                done.append(
                    ledger.spend(
                        alliance,
                        member_id=member,
                        at=chart.merchant_redeemed(who),
                        amount=amount,
                        idempotency_key=key,
                        occurred_at=at,
                    ).entry_id
                )
            elif what == "reverse" and done:
                ledger.reverse(alliance, done[amount % len(done)], idempotency_key=key)
            elif what == "expire":
                ledger.expire(alliance, as_of=(at - timedelta(days=1)).astimezone(shanghai(1).tzinfo).date())
        except (InsufficientPoints, AlreadyReversed, NegativeLimitExceeded):  # refusals are part of life
            pass


def actor(alliance):
    return OPERATOR.__class__(kind=OPERATOR.kind, id="op", alliance_id=alliance, role="admin")


def platform_sum(service, alliance, entry_ids) -> int:
    with service.database.read() as conn:
        rows = conn.execute(
            select(postings.c.amount).where(
                postings.c.alliance_id == alliance,
                postings.c.entry_id.in_([e for e in entry_ids if e]),
                postings.c.account.like("platform:%"),
            )
        )
        return sum(int(r[0]) for r in rows)


CHECKED = [
    (Component.ISSUE, "points_issued"),
    (Component.REIMBURSEMENT, "points_redeemed"),
    (Component.REDEMPTION_FEE, "redemptions"),
    (Component.BREAKAGE, "breakage_points"),
    (Component.GRANT_FUNDED, None),
]


@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=history, breakage=st.sampled_from(list(BreakageMode)))
def test_settlement_properties_hold_on_random_histories(database, steps, breakage):
    alliance, clock, ledger, service = fresh(database)
    who = actor(alliance)
    if breakage is BreakageMode.ISSUERS_PRO_RATA:
        SettlementAdmin(database, clock=clock).set_breakage_mode(who, breakage, idempotency_key="b")
    play(ledger, clock, alliance, steps)
    clock.set(shanghai(1, 9, month=12) + timedelta(days=40))
    for period in ("2026-11", "2026-12"):
        for st_ in service.statements(who, period):  # open previews drill down too
            _drills_down(service, who, period, st_)
        closed = service.close(who, period)
        nets = sum(s.figures.net for s in closed.statements)
        assert nets + platform_sum(service, alliance, [s.ledger_entry_id for s in closed.statements]) == 0
        for s in closed.statements:
            assert s.figures.net == sum(ln.amount for ln in s.lines if ln.in_net)
            _drills_down(service, who, period, s)
        flows = service.flow_matrix(who, period)
        redeemed = {s.merchant_id: s.figures.points_redeemed for s in closed.statements}
        for merchant, points in redeemed.items():
            assert sum(f.points for f in flows if f.spent_at == merchant) == points
        again = service.close(who, period)
        assert again.replayed
        assert [s.figures for s in again.statements] == [s.figures for s in closed.statements]
    # Over both periods every merchant point posting was settled exactly once.
    totals = dict.fromkeys(MERCHANTS, 0)
    for period in ("2026-11", "2026-12"):
        for s in service.statements(who, period):
            totals[s.merchant_id] += s.figures.points_issued
    queries = ledger.queries(alliance)
    assert totals == {m: -queries.account_balance(chart.merchant_issued(m)) for m in MERCHANTS}
    assert ledger.verify(alliance) == {alliance: []}


def _drills_down(service, who, period, statement) -> None:
    for component, figure in CHECKED:
        items = service.drill_down(who, period, statement.merchant_id, component)
        expected = (
            getattr(statement.figures, figure)
            if figure
            else sum(ln.quantity for ln in statement.lines if ln.component is component)
        )
        assert sum(i.quantity for i in items) == expected, (component, statement.merchant_id)
