"""Automation rules as an operator sees them: events trigger rules, controls hold, messages arrive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.integration.automation.conftest import ADMIN, ALLIANCE, write_events

from guildcard.automation.delivery import MessageRouter, deliver_inbox
from guildcard.automation.domain.rules import (
    BadCondition,
    BadTemplate,
    Channel,
    Controls,
    MessageAction,
    MessageKind,
)
from guildcard.automation.handlers import AutomationDeps, handlers
from guildcard.automation.handlers.messages import MAX_MESSAGE_ATTEMPTS, MarkRead, RetryMessage
from guildcard.automation.handlers.rules import CreateRule, SetRuleStatus, dry_run, preset_command, run_rules
from guildcard.automation.handlers.webhooks import queue_deliveries
from guildcard.automation.sender import HttpTransport
from guildcard.automation.storage.rules import RuleRepository
from guildcard.automation.storage.tables import automation_runs
from guildcard.automation.worker import Worker
from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.kernel.errors import PermissionDenied
from guildcard.pipeline import CommandBus, Event

DAYTIME = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
CONSENTING = {"mem_yes", "mem_also"}


def member(member_id: str) -> Actor:
    return Actor(ActorKind.MEMBER, member_id, ALLIANCE)


def purchase(member_id: str, n: int, payable_fen: int = 12000) -> Event:
    return Event(
        "counter.purchase_recorded", f"pur_{member_id}_{n}",
        {"merchant_id": "mer_1", "store_id": "sto_1", "member_id": member_id, "payable_fen": payable_fen,
         "cash_fen": payable_fen, "points_used": 0, "points_earned": payable_fen // 100, "source": "counter"},
    )  # fmt: skip


def rules_bus(database: Database, clock: FixedClock) -> CommandBus:
    bus = CommandBus(database, clock, [handlers])
    bus.provide(
        "automation",
        AutomationDeps(
            allow_local_http=True, consumers=[queue_deliveries, run_rules],
            marketing_consent=lambda _work, members: members & CONSENTING,
        ),
    )  # fmt: skip
    return bus


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DAYTIME)


@pytest.fixture
def rbus(database: Database, clock: FixedClock) -> CommandBus:
    return rules_bus(database, clock)


@pytest.fixture
def rworker(rbus: CommandBus, database: Database, clock: FixedClock):
    http = HttpTransport(timeout=5)
    yield Worker(rbus, database, http, wall_clock=clock.now)
    http.close()


def thanks(kind: MessageKind = MessageKind.MARKETING, channel: Channel = Channel.INBOX) -> MessageAction:
    return MessageAction(channel, kind, "感谢光临", "本次获得 $points_earned 积分")


def create(bus: CommandBus, key: str, **kw):
    command = CreateRule(name=kw.pop("name", key), trigger=kw.pop("trigger", "purchase"),
                         actions=kw.pop("actions", (thanks(),)), idempotency_key=key, **kw)  # fmt: skip
    return bus.execute(ADMIN, command).value


def inbox(database: Database, member_id: str):
    with database.read() as conn:
        return RuleRepository(conn, ALLIANCE).messages(member_id=member_id)


def test_a_purchase_rule_sends_a_rendered_inbox_message_once_to_consenting_members(
    rbus, database, rworker: Worker
):
    rule = create(rbus, "big", condition="payable_fen >= 10000", controls=Controls(cap_per_member=5))
    write_events(database, [purchase("mem_yes", 1), purchase("mem_no", 1), purchase("mem_also", 1, 500)],
                 at=DAYTIME)  # fmt: skip

    tick = rworker.drain()

    assert tick.messages_sent == 1
    (got,) = inbox(database, "mem_yes")
    assert (got.title, got.body, got.status) == ("感谢光临", "本次获得 120 积分", "sent")
    assert inbox(database, "mem_no") == []  # no consent
    assert inbox(database, "mem_also") == []  # the condition
    with database.read() as conn:
        counts = RuleRepository(conn, ALLIANCE).run_counts()
        assert counts == {(rule.id, "sent"): 1, (rule.id, "no_consent"): 1}
        # a second dispatch of the same occurrence (e.g. a replayed batch) runs nothing again
        assert conn.execute(select(func.count()).select_from(automation_runs)).scalar_one() == 2


def test_the_frequency_cap_spans_rules_and_a_paused_rule_does_nothing(rbus, database, rworker: Worker):
    create(rbus, "a", controls=Controls(cap_per_member=2, cap_window_days=7))
    second = create(rbus, "b", controls=Controls(cap_per_member=2, cap_window_days=7))
    paused = create(rbus, "c", paused=True, controls=Controls(cap_per_member=9))
    write_events(database, [purchase("mem_yes", 1), purchase("mem_yes", 2)], at=DAYTIME)

    rworker.drain()

    assert len(inbox(database, "mem_yes")) == 2  # four would-be messages, a cap of two
    with database.read() as conn:
        counts = RuleRepository(conn, ALLIANCE).run_counts()
    assert sum(n for (_r, o), n in counts.items() if o == "capped") == 2
    assert not any(r == paused.id for r, _o in counts)

    rbus.execute(ADMIN, SetRuleStatus(rule_id=second.id, active=False, idempotency_key="pause"))
    rbus.execute(ADMIN, SetRuleStatus(rule_id=paused.id, active=True, idempotency_key="resume"))
    write_events(database, [purchase("mem_also", 1)], at=DAYTIME)
    rworker.drain()
    with database.read() as conn:
        after = RuleRepository(conn, ALLIANCE).run_counts()
    assert after.get((paused.id, "sent")) == 1
    assert (second.id, "sent") not in after


def test_quiet_hours_in_shanghai_hold_a_message_until_morning(database, clock: FixedClock):
    clock.set(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
    bus = rules_bus(database, clock)
    create(bus, "night", controls=Controls(quiet_start=22, quiet_end=8))
    write_events(database, [purchase("mem_yes", 1)], at=clock.now())
    http = HttpTransport(timeout=5)
    worker = Worker(bus, database, http, wall_clock=clock.now)

    worker.drain()
    (held,) = inbox(database, "mem_yes")
    assert held.status == "pending"
    assert held.next_attempt_at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 08:00 next day in Shanghai

    clock.set(datetime(2026, 12, 4, 0, 1, tzinfo=UTC))
    worker.drain()
    assert inbox(database, "mem_yes")[0].status == "sent"
    http.close()


def test_a_budget_and_the_end_date_stop_a_rule(rbus, database, rworker: Worker):
    create(rbus, "budget", controls=Controls(cap_per_member=9, budget_runs=1))
    create(rbus, "ended", controls=Controls(ends_at=DAYTIME - timedelta(days=1)))
    write_events(database, [purchase("mem_yes", 1), purchase("mem_also", 1)], at=DAYTIME)

    rworker.drain()

    assert len(inbox(database, "mem_yes")) + len(inbox(database, "mem_also")) == 1


def test_a_condition_that_does_not_parse_or_names_an_unknown_field_is_refused(rbus):
    with pytest.raises(BadCondition) as bad:
        create(rbus, "x", condition="payable_fen >=")
    assert bad.value.details["field"] == "condition"
    with pytest.raises(BadCondition):
        create(rbus, "y", condition="favourite_colour == 'red'")
    with pytest.raises(BadCondition):
        create(rbus, "z", condition="payable_fen > 'a lot'")  # a type error
    with pytest.raises(BadTemplate):
        create(rbus, "t", actions=(MessageAction(Channel.INBOX, MessageKind.SERVICE, "hi", "$nope"),))


def test_only_an_alliance_admin_manages_rules(rbus):
    viewer = Actor(ActorKind.OPERATOR, "opr_v", ALLIANCE, role="viewer")
    with pytest.raises(PermissionDenied):
        rbus.execute(viewer, preset_command("welcome", idempotency_key="v"))


def test_the_dry_run_shows_who_would_be_hit_without_writing(rbus, database, clock):
    rule = create(rbus, "dry", paused=True, condition="payable_fen >= 10000")
    write_events(database, [purchase("mem_yes", 1), purchase("mem_no", 1), purchase("mem_also", 1, 100)])

    with database.read() as conn:
        result = dry_run(conn, ALLIANCE, rule, now=clock.now(), consenting=CONSENTING)
        runs = conn.execute(select(func.count()).select_from(automation_runs)).scalar_one()

    assert (result.events, result.reached) == (3, 1)
    assert result.outcomes == {"sent": 1, "no_consent": 1}
    assert result.sample[0].member_id == "mem_yes"
    assert result.sample[0].messages[0]["body"] == "本次获得 120 积分"
    assert runs == 0


def test_presets_turn_on_in_one_click(rbus, database, rworker: Worker):
    rule = rbus.execute(ADMIN, preset_command("welcome", idempotency_key="w")).value
    joined = Event("members.member_registered", "mem_yes", {"member_id": "mem_yes", "how": "sms"})
    write_events(database, [joined], at=DAYTIME)
    rworker.drain()
    assert rule.preset == "welcome"
    assert [m.title for m in inbox(database, "mem_yes")] == ["欢迎加入联盟"]


def test_the_inbox_counts_unread_and_a_member_marks_only_their_own_read(rbus, database, rworker: Worker):
    create(rbus, "r", controls=Controls(cap_per_member=9))
    write_events(database, [purchase("mem_yes", 1), purchase("mem_yes", 2), purchase("mem_also", 1)])
    rworker.drain()
    first, _second = inbox(database, "mem_yes")
    other = inbox(database, "mem_also")[0]

    read = rbus.execute(
        member("mem_yes"), MarkRead(message_ids=(first.id, other.id), idempotency_key="r1")
    ).value

    assert (read.marked, read.unread) == (1, 1)
    assert inbox(database, "mem_also")[0].read_at is None


def test_a_failing_channel_retries_with_backoff_then_dead_letters_and_an_operator_retries(
    rbus, database, clock: FixedClock
):
    create(rbus, "sms", actions=(thanks(MessageKind.SERVICE, Channel.SMS),))
    write_events(database, [purchase("mem_no", 1)], at=DAYTIME)
    http = HttpTransport(timeout=5)
    worker = Worker(rbus, database, http, wall_clock=clock.now, router=MessageRouter())  # no SMS provider

    for _ in range(MAX_MESSAGE_ATTEMPTS):
        worker.drain()
        clock.advance(timedelta(hours=2))
    (dead,) = inbox(database, "mem_no")
    assert (dead.status, dead.attempts) == ("dead", MAX_MESSAGE_ATTEMPTS)
    assert dead.last_error == "no provider configured for this channel"

    rbus.execute(ADMIN, RetryMessage(message_id=dead.id, idempotency_key="again"))
    sent: list[str] = []

    def sms(message) -> None:
        sent.append(message.id)

    worker.router = MessageRouter(channels={"inbox": deliver_inbox, "sms": sms})
    worker.drain()
    assert sent == [dead.id]
    assert inbox(database, "mem_no")[0].status == "sent"
    http.close()


def test_a_channel_over_its_rate_limit_waits(rbus, database, clock: FixedClock):
    create(rbus, "many", controls=Controls(cap_per_member=9))
    write_events(database, [purchase("mem_yes", n) for n in range(5)], at=DAYTIME)
    http = HttpTransport(timeout=5)
    worker = Worker(
        rbus, database, http, wall_clock=clock.now, router=MessageRouter(limits={"inbox": "2/hour"})
    )

    worker.drain()

    assert sorted(m.status for m in inbox(database, "mem_yes")) == ["pending"] * 3 + ["sent"] * 2
    http.close()
