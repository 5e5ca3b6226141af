"""Tier stories on SQLite and PostgreSQL: design, upgrade at once inside the purchase's
transaction, refunds under each policy, evaluation with and without retention, manual floors,
upgrade gifts given once, and the preview of members per tier."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from guildcard.audit.log import AuditFilter, query
from guildcard.cli.main import app
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.ledger import AesGcmKeyStore, LedgerService
from guildcard.ledger.handlers import handlers as ledger_handlers
from guildcard.ledger.reversal import reverse
from guildcard.ledger.storage.tables import entries
from guildcard.loyalty.domain.errors import TiersNotAllowed
from guildcard.loyalty.handlers import handlers as loyalty_handlers
from guildcard.loyalty.storage.tiers import TierRepository
from guildcard.loyalty.tier_handlers import DesignTiers
from guildcard.loyalty.tier_service import TierService
from guildcard.loyalty.tiering import Tiering
from guildcard.pipeline import CommandBus, outbox

ALLIANCE, OPERATOR = "al_chengdu", "opr_wang"
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
KEYS = AesGcmKeyStore("test-data-key-0123456789abcdef0123456789")


def design(**rules):
    return {
        "tiers": [
            {"code": "member", "name": "普通会员", "rank": 0, "threshold": 0},
            {"code": "silver", "name": "银卡", "rank": 1, "threshold": 1000, "retention": 600,
             "colour": "#a8b0bd", "points_multiplier": "1.2", "gift_points": 100},
            {"code": "gold", "name": "金卡", "rank": 2, "threshold": 3000, "retention": 2000,
             "colour": "#d4a017", "points_multiplier": "1.5", "gift_points": 300},
        ],
        "rules": rules,
    }  # fmt: skip


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def bus(database, clock):
    return CommandBus(database, clock, [loyalty_handlers, ledger_handlers])


@pytest.fixture
def ledger(database, clock, bus):
    service = LedgerService(database, clock=clock, keys=KEYS, bus=bus)
    service.open_alliance_ledger(ALLIANCE)
    return service


@pytest.fixture
def tiers(database, clock, bus, ledger):
    return TierService(database, clock, bus=bus)


def purchase(ledger, member, purchase_id, growth, *, at=None):
    """What the counter's commit does: grant the growth, then ask for the tier, in one transaction."""

    def run(book):
        book.grant_growth(
            member_id=member, amount=growth, idempotency_key=f"{purchase_id}:growth", reference=purchase_id,
            occurred_at=at,
        )  # fmt: skip
        tiering = Tiering(book.conn, ALLIANCE, book.clock.now(), actor_id="counter", ledger=book)
        return tiering.after_purchase(member, purchase_id=purchase_id, growth=growth)

    return ledger.write(ALLIANCE, run)


def refund(ledger, member, purchase_id, refund_id, *, growth_back, standing):
    def run(book):
        entry_id = _growth_entry(book, purchase_id)
        reverse(
            book, entry_id, idempotency_key=f"{refund_id}:growth", amount=growth_back, reference=refund_id
        )
        tiering = Tiering(book.conn, ALLIANCE, book.clock.now(), actor_id="counter", ledger=book)
        return tiering.after_refund(member, purchase_id=purchase_id, growth_standing=standing)

    return ledger.write(ALLIANCE, run)


def _growth_entry(book, purchase_id):
    return book.conn.execute(
        select(entries.c.id).where(entries.c.reference == purchase_id, entries.c.kind == "growth")
    ).scalar_one()


def test_a_purchase_that_crosses_the_threshold_upgrades_in_its_own_transaction(tiers, ledger, database):
    tiers.design(alliance_id=ALLIANCE, scheme=design(), actor_id=OPERATOR, idempotency_key="d1")
    assert purchase(ledger, "mem_li", "pur_1", 900) is None
    change = purchase(ledger, "mem_li", "pur_2", 150)
    assert (change.from_tier, change.to_tier, change.reason.value, change.reference) == (
        "member", "silver", "purchase", "pur_2",
    )  # fmt: skip
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_li").name == "银卡"
    # The upgrade gift: 100 points, once.
    balances = ledger.queries(ALLIANCE).balance("mem_li")
    assert balances.available == 100
    log = tiers.history(alliance_id=ALLIANCE, member_id="mem_li")
    assert [(r["from_tier"], r["to_tier"], r["reason"]) for r in log] == [("member", "silver", "purchase")]


def test_refunding_the_promoting_purchase_downgrades_under_that_policy(tiers, ledger):
    tiers.design(alliance_id=ALLIANCE, scheme=design(), actor_id=OPERATOR, idempotency_key="d1")
    purchase(ledger, "mem_li", "pur_1", 900)
    purchase(ledger, "mem_li", "pur_2", 150)
    change = refund(ledger, "mem_li", "pur_2", "ref_1", growth_back=150, standing=0)
    assert (change.to_tier, change.reason.value) == ("member", "refund")
    # Back to silver with another purchase: no second gift.
    purchase(ledger, "mem_li", "pur_3", 200)
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_li").code == "silver"
    assert ledger.queries(ALLIANCE).balance("mem_li").available == 100


def test_under_next_evaluation_a_refund_waits_for_the_evaluation(tiers, ledger, clock):
    rules = {"refund_policy": "next_evaluation", "downgrade": "evaluation"}
    tiers.design(alliance_id=ALLIANCE, scheme=design(**rules), actor_id=OPERATOR, idempotency_key="d1")
    purchase(ledger, "mem_li", "pur_1", 1100)
    assert refund(ledger, "mem_li", "pur_1", "ref_1", growth_back=700, standing=400) is None
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_li").code == "silver"
    result = tiers.evaluate(alliance_id=ALLIANCE, as_of=date(2026, 12, 31)).value
    assert (result.upgrades, result.downgrades) == (0, 1)
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_li").code == "member"


def test_evaluation_keeps_members_who_meet_retention_and_downgrades_the_others(tiers, ledger, clock):
    rules = {"basis": "rolling", "window_days": 365, "downgrade": "evaluation"}
    tiers.design(alliance_id=ALLIANCE, scheme=design(**rules), actor_id=OPERATOR, idempotency_key="d1")
    year_ago = NOW - timedelta(days=340)
    for member in ("mem_keeps", "mem_drops"):
        purchase(ledger, member, f"pur_{member}", 1200, at=year_ago)
    purchase(ledger, "mem_keeps", "pur_again", 650)  # 650 in the window a year on: keeps silver (保级 600)
    as_of = date(2027, 1, 31)  # the first purchases have left the window by then
    result = tiers.evaluate(alliance_id=ALLIANCE, as_of=as_of).value
    assert [(c.member_id, c.to_tier) for c in result.changes] == [("mem_drops", "member")]
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_keeps").code == "silver"
    # Safe to re-run: the same date replays, a later date finds nothing more to do.
    assert tiers.evaluate(alliance_id=ALLIANCE, as_of=as_of).replayed
    assert tiers.evaluate(alliance_id=ALLIANCE, as_of=date(2027, 2, 1)).value.changes == ()


def test_a_manual_floor_ends_and_the_member_returns_to_the_growth_tier(tiers, ledger, database):
    tiers.design(
        alliance_id=ALLIANCE, scheme=design(downgrade="evaluation"), actor_id=OPERATOR, idempotency_key="d1"
    )
    purchase(ledger, "mem_li", "pur_1", 1100)
    ends = NOW + timedelta(days=30)
    change = tiers.set_floor(
        alliance_id=ALLIANCE, member_id="mem_li", tier="gold", ends_at=ends, reason="投诉补偿",
        actor_id=OPERATOR, idempotency_key="f1",
    ).value  # fmt: skip
    assert (change.to_tier, change.reason.value, change.note) == ("gold", "manual", "投诉补偿")
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_li").code == "gold"
    tiers.evaluate(alliance_id=ALLIANCE, as_of=date(2026, 12, 15))
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_li").code == "gold"
    result = tiers.evaluate(alliance_id=ALLIANCE, as_of=date(2027, 1, 1)).value
    assert [(c.to_tier, c.reason.value) for c in result.changes] == [("silver", "floor_ended")]
    with database.read() as conn:
        audit = query(conn, ALLIANCE, AuditFilter())
        events = [e.name for e in outbox.pending(conn, ALLIANCE)]
    assert "loyalty.set_tier_floor" in [a.action for a in audit]
    assert events.count("loyalty.tier_changed") == 2  # manual, floor ended (a purchase: the counter says)


def test_the_preview_counts_members_per_tier_before_saving(tiers, ledger):
    for i, growth in enumerate((100, 1_000, 1_500, 3_200)):
        purchase(ledger, f"mem_{i}", f"pur_{i}", growth)
    counts = tiers.preview(alliance_id=ALLIANCE, scheme=design(), members_total=6)
    assert counts == {"member": 3, "silver": 2, "gold": 1}


def test_only_operators_design_tiers(bus, tiers):
    cashier = Actor(ActorKind.STAFF, "stf_1", ALLIANCE, role="cashier", merchant_id="mch_1")
    with pytest.raises(TiersNotAllowed):
        bus.execute(cashier, DesignTiers(scheme=design(), idempotency_key="x"))


def test_a_design_replays_and_a_new_one_bumps_nothing_for_members(tiers, database):
    first = tiers.design(alliance_id=ALLIANCE, scheme=design(), actor_id=OPERATOR, idempotency_key="d1")
    again = tiers.design(alliance_id=ALLIANCE, scheme=design(), actor_id=OPERATOR, idempotency_key="d1")
    assert again.replayed
    assert again.value == first.value
    with database.read() as conn:
        assert TierRepository(conn, ALLIANCE).all_held() == []


def test_the_evaluate_tiers_job_and_run_due_downgrade_once(tiers, ledger, database, monkeypatch):
    rules = {"basis": "rolling", "window_days": 30, "downgrade": "evaluation"}
    tiers.design(alliance_id=ALLIANCE, scheme=design(**rules), actor_id=OPERATOR, idempotency_key="d1")
    purchase(ledger, "mem_li", "pur_1", 1200)
    monkeypatch.setenv("GUILDCARD_DATABASE_URL", database.url.render_as_string(hide_password=False))
    runner = CliRunner()
    early = runner.invoke(app, ["jobs", "evaluate-tiers", "--as-of", "2026-12-10", "--alliance", ALLIANCE])
    assert early.exit_code == 0, early.output
    assert "0 up, 0 down" in early.output
    for _ in range(2):
        due = runner.invoke(app, ["jobs", "run-due", "--as-of", "2027-01-15", "--alliance", ALLIANCE])
        assert due.exit_code == 0, due.output
    assert f"{ALLIANCE}: tiers as of 2027-01-14: 0 up, 1 down (already done)" in due.output
    assert tiers.tier_of(alliance_id=ALLIANCE, member_id="mem_li").code == "member"
