"""Settlement writes on the command bus: typed replays, conflicts, audit lines, outbox events, versions."""

from __future__ import annotations

import pytest
from tests.integration.settlement.conftest import ALLIANCE, KEYS, OPERATOR, staff
from tests.integration.settlement.worked_example import november, shanghai

from guildcard.audit.log import AuditFilter, query
from guildcard.kernel.errors import IdempotencyConflict
from guildcard.pipeline import outbox, versions
from guildcard.settlement.domain.errors import NotAllowed
from guildcard.settlement.domain.periods import PeriodKind
from guildcard.settlement.domain.terms import BreakageMode, LimitMode
from guildcard.settlement.service import SettlementService


def _seen(database):
    with database.read() as conn:
        events = [(e.name, e.subject, e.payload) for e in outbox.pending(conn, ALLIANCE)]
        audit = query(conn, ALLIANCE, AuditFilter())
        version = versions.current(conn, ALLIANCE).get("settlement", 0)
    return events, audit, version


def _limit(admin, points, key="lim-1", actor=OPERATOR):
    return admin.set_limit(
        actor, merchant_id="m_tea", limit_points=points, period_kind=PeriodKind.MONTH,
        mode=LimitMode.PREPAID, idempotency_key=key,
    )  # fmt: skip


def test_a_limit_change_names_its_operator_and_replays_without_changing_anything(admin, database):
    applied = _limit(admin, 5000)
    assert not applied.replayed
    assert applied.values == {
        "merchant_id": "m_tea", "period_kind": "month", "limit_points": "5000", "mode": "prepaid",
    }  # fmt: skip
    events, audit, version = _seen(database)
    assert events == [
        (
            "settlement.limit_set", "m_tea",
            {"merchant_id": "m_tea", "limit_points": 5000, "period_kind": "month", "mode": "prepaid"},
        )
    ]  # fmt: skip
    [line] = audit
    assert (line.action, line.actor_kind, line.actor_id, line.merchant_id) == (
        "settlement.set_limit", "operator", OPERATOR.id, "m_tea",
    )  # fmt: skip
    assert line.details == {"limit_points": 5000, "period_kind": "month", "mode": "prepaid"}
    assert version == 1  # the counter's cached limits reload

    replay = _limit(admin, 5000)
    assert replay.replayed
    assert replay.values == applied.values
    assert _seen(database) == (events, audit, 1)

    with pytest.raises(IdempotencyConflict):
        _limit(admin, 9000)
    assert [s.limit_points for s in admin.limits(OPERATOR)] == [5000]


def test_only_operators_set_limits_and_a_refusal_leaves_no_trace(admin, database):
    with pytest.raises(NotAllowed):
        _limit(admin, 10, actor=staff("m_tea"))
    assert _seen(database) == ([], [], 0)


def test_the_breakage_mode_change_is_announced_and_audited(admin, database):
    applied = admin.set_breakage_mode(OPERATOR, BreakageMode.ISSUERS_PRO_RATA, idempotency_key="b1")
    assert applied.values == {"breakage_mode": "issuers_pro_rata"}
    again = admin.set_breakage_mode(OPERATOR, BreakageMode.ISSUERS_PRO_RATA, idempotency_key="b1")
    assert again.replayed
    assert again.values == applied.values
    events, audit, _ = _seen(database)
    assert events == [("settlement.breakage_mode_set", ALLIANCE, {"breakage_mode": "issuers_pro_rata"})]
    assert [(a.action, a.actor_id, a.details) for a in audit] == [
        ("settlement.set_breakage_mode", OPERATOR.id, {"breakage_mode": "issuers_pro_rata"})
    ]


def test_closing_a_period_announces_its_net_sums_once(settlement, ledger, clock, contracts, sales):
    november(ledger, clock, contracts, sales)
    clock.set(shanghai(1, 9, month=12))
    first = settlement.close(OPERATOR, "2026-11")
    again = settlement.close(OPERATOR, "2026-11")
    assert again.replayed
    assert again.statements == first.statements

    events, audit, _ = _seen(settlement.database)
    assert events == [
        (
            "settlement.period_closed", "2026-11",
            {
                "period": "2026-11", "statements": 3,
                "owed_by_merchants": 53220 + 1287, "owed_to_merchants": 346,
                "net_by_merchant": {"m_film": 1287, "m_gym": 53220, "m_tea": -346},
            },
        )
    ]  # fmt: skip
    assert [(a.action, a.object_id, a.actor_id) for a in audit] == [
        ("settlement.close_period", "2026-11", OPERATOR.id)
    ]


class _Seen:
    """Wraps a port and records the connection of each call (and whether it was in a transaction)."""

    def __init__(self, port):
        self.port, self.calls = port, []

    def __getattr__(self, name):
        method = getattr(self.port, name)

        def call(conn, *args, **kwargs):
            self.calls.append((name, conn, conn.in_transaction()))
            return method(conn, *args, **kwargs)

        return call


def test_the_ports_read_on_the_close_commands_own_transaction(database, ledger, clock, contracts, sales):
    november(ledger, clock, contracts, sales)
    terms, sold = _Seen(contracts), _Seen(sales)
    settlement = SettlementService(database, clock=clock, terms=terms, sales=sold, keys=KEYS)
    clock.set(shanghai(1, 9, month=12))
    settlement.statements(OPERATOR, "2026-11")  # a read: the ports get the read's connection
    read = {id(conn) for _, conn, _ in terms.calls + sold.calls}
    terms.calls.clear(), sold.calls.clear()

    settlement.close(OPERATOR, "2026-11")
    calls = terms.calls + sold.calls
    assert {name for name, _, _ in calls} == {"merchants", "terms_in_force", "member_sales"}
    assert len({id(conn) for _, conn, _ in calls}) == 1  # one unit of work, none opened by a port
    assert all(in_transaction for _, _, in_transaction in calls)
    assert len(read) == 1
