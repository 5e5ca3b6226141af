"""Loyalty writes on the command bus: typed replays, conflicts, audit lines, outbox events, versions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from guildcard.audit.log import AuditFilter, query
from guildcard.kernel.clock import FixedClock
from guildcard.kernel.errors import IdempotencyConflict
from guildcard.loyalty.service import LoyaltyService
from guildcard.pipeline import outbox, versions

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ALLIANCE, OPERATOR, OWNER = "al_westlake", "opr_alice", "stf_owner"


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def loyalty(database, clock):
    return LoyaltyService(database, clock)


def _seen(database):
    """What an operator can check after a command: events, audit lines, the loyalty version."""
    with database.read() as conn:
        events = [(e.name, e.subject, e.payload) for e in outbox.pending(conn, ALLIANCE)]
        audit = query(conn, ALLIANCE, AuditFilter())
        version = versions.current(conn, ALLIANCE).get("loyalty", 0)
    return events, audit, version


def test_a_settings_change_is_audited_announced_and_bumps_the_loyalty_version(loyalty, database):
    changes = {"max_redeem_share": "0.3", "pending_days": 7}
    written = loyalty.update_settings(
        alliance_id=ALLIANCE, changes=changes, actor_id=OPERATOR, idempotency_key="s1"
    )
    events, audit, version = _seen(database)
    assert events == [
        ("loyalty.settings_changed", ALLIANCE, {"changes": {"max_redeem_share": "0.3", "pending_days": 7}})
    ]
    assert [(a.action, a.actor_kind, a.actor_id) for a in audit] == [
        ("loyalty.update_settings", "operator", OPERATOR)
    ]
    assert version == 1

    replay = loyalty.update_settings(
        alliance_id=ALLIANCE, changes=changes, actor_id=OPERATOR, idempotency_key="s1"
    )
    assert replay.replayed
    assert replay.value == written.value
    assert replay.value.max_redeem_share == Decimal("0.3")
    assert _seen(database) == (events, audit, 1)  # the replay changed nothing

    with pytest.raises(IdempotencyConflict):
        loyalty.update_settings(
            alliance_id=ALLIANCE, changes={"pending_days": 1}, actor_id=OPERATOR, idempotency_key="s1"
        )
    assert loyalty.get_settings(alliance_id=ALLIANCE).pending_days == 7


def test_a_replayed_rules_change_returns_the_same_typed_rules(loyalty, database, clock):
    first = loyalty.set_merchant_rules(
        alliance_id=ALLIANCE, merchant_id="mer_tea", category_multipliers={"drinks": Decimal("1.5")},
        daily_cap=300, actor_id=OWNER, idempotency_key="r1",
    )  # fmt: skip
    clock.set(NOW + timedelta(hours=1))
    again = loyalty.set_merchant_rules(
        alliance_id=ALLIANCE, merchant_id="mer_tea", category_multipliers={"drinks": Decimal("1.5")},
        daily_cap=300, actor_id=OWNER, idempotency_key="r1",
    )  # fmt: skip
    assert again.replayed
    assert again.value == first.value
    assert again.value.multiplier_for("drinks") == Decimal("1.5")
    assert again.value.effective_from == NOW
    events, audit, version = _seen(database)
    assert [(name, subject) for name, subject, _ in events] == [("loyalty.rules_changed", "mer_tea")]
    assert [(a.action, a.actor_kind, a.actor_id, a.merchant_id) for a in audit] == [
        ("loyalty.set_merchant_rules", "staff", OWNER, "mer_tea")
    ]
    assert version == 1


def test_each_campaign_change_is_an_event_and_a_new_loyalty_version(loyalty, database, clock):
    created = loyalty.create_campaign(
        alliance_id=ALLIANCE, name="Member day", multiplier=Decimal(2), starts_at=NOW, weekdays=[3],
        time_from=time(10), merchant_ids=["mer_b", "mer_a"], actor_id=OPERATOR, idempotency_key="c1",
    ).value  # fmt: skip
    loyalty.update_campaign(
        alliance_id=ALLIANCE, campaign_id=created.campaign_id, changes={"multiplier": Decimal("2.5")},
        actor_id=OPERATOR, idempotency_key="c2",
    )  # fmt: skip
    clock.set(NOW + timedelta(days=2))
    ended = loyalty.end_campaign(
        alliance_id=ALLIANCE, campaign_id=created.campaign_id, actor_id=OPERATOR, idempotency_key="c3"
    )
    replay = loyalty.end_campaign(
        alliance_id=ALLIANCE, campaign_id=created.campaign_id, actor_id=OPERATOR, idempotency_key="c3"
    )
    assert replay.replayed
    assert replay.value == ended.value
    assert replay.value.ended_at == ended.value.ended_at == NOW + timedelta(days=2)  # not compared by ==
    assert replay.value.merchant_ids == frozenset({"mer_a", "mer_b"})
    assert replay.value.multiplier == Decimal("2.5")

    events, audit, version = _seen(database)
    assert [(name, subject) for name, subject, _ in events] == [
        ("loyalty.campaign_started", created.campaign_id),
        ("loyalty.campaign_changed", created.campaign_id),
        ("loyalty.campaign_ended", created.campaign_id),
    ]
    assert events[1][2]["campaign"]["multiplier"] == "2.5"
    assert sorted(a.action for a in audit) == [
        "loyalty.create_campaign",
        "loyalty.end_campaign",
        "loyalty.update_campaign",
    ]
    assert version == 3
