"""Schedule triggers on the real contexts (members, counter, ledger) and the worker's job, on
SQLite and PostgreSQL: a birthday gift reaches only consenting members once a year, a win-back
message after 60 quiet days, an expiry notice 30 days before the points go."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.integration.alliance.world import Builder, auth, make_client
from tests.integration.test_coalition_story import member_code

from guildcard.automation.domain.rules import BadSchedule, Channel, MessageAction, MessageKind
from guildcard.automation.handlers.rules import CreateRule, dry_run, preset_command
from guildcard.automation.handlers.schedules import RunSchedules
from guildcard.automation.storage.rules import RuleRepository
from guildcard.cli.worker import automation_jobs
from guildcard.kernel.actors import Actor, ActorKind, system_actor
from guildcard.kernel.clock import business_date
from guildcard.ledger.queries import LedgerQueries
from guildcard.members.domain.model import ConsentKind

pytestmark = pytest.mark.slow


def sign_up(client, alliance_id: str, phone: str) -> tuple[str, str]:
    base = f"/api/v1/alliances/{alliance_id}"
    assert client.post(f"{base}/otp", json={"phone": phone, "purpose": "register"}).status_code == 202
    code = client.get("/api/v1/dev/outbox", params={"phone": phone}).json()[0]["code"]
    signed = client.post(
        f"{base}/members/session", json={"phone": phone, "code": code, "accept_terms_version": "2026-11"}
    )
    assert signed.status_code == 201, signed.text
    return signed.json()["token"], signed.json()["member"]["member_id"]


def admin_of(alliance_id: str) -> Actor:
    return Actor(ActorKind.OPERATOR, "opr_admin", alliance_id, role="admin")


def inbox(container, alliance_id: str, member_id: str) -> list[str]:
    with container.database.read() as conn:
        return [m.title for m in RuleRepository(conn, alliance_id).messages(member_id=member_id)]


@pytest.fixture
def story(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("sched")
        people = {}
        for name, phone in (("ann", "13900000001"), ("bob", "13900000002"), ("cai", "13900000003")):
            people[name] = sign_up(client, world.id, phone)
        today = business_date(container.clock.now())
        for name, (_token, member_id) in people.items():
            born = date(1990, today.month, today.day) if name != "cai" else date(1991, 1, 1)
            container.members.profiles.update(
                alliance_id=world.id, member_id=member_id, changes={"birthday": born}
            )
            if name != "bob":  # bob never agreed to marketing
                container.members.profiles.set_consent(
                    alliance_id=world.id, member_id=member_id, kind=ConsentKind.MARKETING, granted=True,
                    version="2026-11",
                )  # fmt: skip
        yield client, container, world, people


def test_a_birthday_gift_reaches_only_consenting_members_once_a_year(story):
    _client, container, world, people = story
    admin = system_actor(world.id, "test")  # a rule is the admin's; the job is the system's
    operator = admin_of(world.id)
    container.bus.execute(operator, preset_command("birthday_gift", idempotency_key="bday"))
    job = automation_jobs(container)

    job()
    job()  # again the same day: nothing more

    (_t, ann), (_t2, bob), (_t3, cai) = people["ann"], people["bob"], people["cai"]
    assert inbox(container, world.id, ann) == ["生日快乐"]
    assert inbox(container, world.id, bob) == []  # no marketing consent
    assert inbox(container, world.id, cai) == []  # not her birthday
    with container.database.read() as conn:
        counts = RuleRepository(conn, world.id).run_counts()
    assert sorted(o for (_r, o) in counts) == ["no_consent", "sent"]

    container.clock.advance(timedelta(days=365))  # the next birthday: once more
    container.bus.execute(admin, RunSchedules())
    assert inbox(container, world.id, ann) == ["生日快乐", "生日快乐"]


def test_win_back_after_sixty_quiet_days_and_an_expiry_notice_thirty_days_before(story):
    client, container, world, people = story
    operator = admin_of(world.id)
    token, ann = people["ann"]
    hot_pot = world.merchants[0]
    bought = client.post(
        "/api/v1/counter/purchases",
        json={"store_id": hot_pot.store_a, "member_code": member_code(client, token), "order_no": "Q-1",
              "amount_fen": 12800},
        headers=auth(hot_pot.cashier),
    )  # fmt: skip
    assert bought.status_code == 201, bought.text
    container.bus.execute(operator, preset_command("win_back", idempotency_key="wb"))
    container.bus.execute(operator, preset_command("points_expiring", idempotency_key="exp"))
    system = system_actor(world.id, "test")

    container.clock.advance(timedelta(days=59))
    assert container.bus.execute(system, RunSchedules()).value.messages == 0  # 59 days: not yet quiet
    container.clock.advance(timedelta(days=2))
    ran = container.bus.execute(system, RunSchedules()).value
    assert ran.messages == 1
    assert inbox(container, world.id, ann) == ["好久不见"]
    container.bus.execute(system, RunSchedules())
    assert inbox(container, world.id, ann) == ["好久不见"]  # this quiet spell: once

    with container.database.read() as conn:
        (lot,) = LedgerQueries(conn, alliance_id=world.id).lots(ann)
    assert lot.expires_at is not None
    container.clock.set(lot.expires_at - timedelta(days=31))
    container.bus.execute(system, RunSchedules())
    assert "积分即将到期" not in inbox(container, world.id, ann)
    container.clock.set(lot.expires_at - timedelta(days=29))
    with container.database.read() as conn:
        rule = next(r for r in RuleRepository(conn, world.id).rules() if r.preset == "points_expiring")
        trial = dry_run(conn, world.id, rule, now=container.clock.now(), consenting=set(),
                        schedules=container.automation_schedules)  # fmt: skip
    assert trial.reached == 1  # a service message: no marketing consent needed
    container.bus.execute(system, RunSchedules())
    container.bus.execute(system, RunSchedules())
    with container.database.read() as conn:
        notices = [
            m for m in RuleRepository(conn, world.id).messages(member_id=ann) if m.title == "积分即将到期"
        ]
    assert len(notices) == 1
    assert f"{lot.remaining} 积分将于 {business_date(lot.expires_at).isoformat()} 到期" in notices[0].body


def test_a_schedule_setting_out_of_range_is_refused_naming_the_field(story):
    _client, container, world, _people = story
    operator = admin_of(world.id)
    base = preset_command("win_back", idempotency_key="x")
    hello = MessageAction(Channel.INBOX, MessageKind.MARKETING, "双十二", "联盟双十二活动今天开始")
    with pytest.raises(BadSchedule) as refused:
        container.bus.execute(operator, CreateRule(name="w", trigger="quiet", actions=base.actions,
                                                   params={"days": 0}, idempotency_key="bad"))  # fmt: skip
    assert refused.value.details["field"] == "days"
    bad = CreateRule(name="d", trigger="on_date", actions=(hello,), params={"on": "next week"},
                     idempotency_key="bad2")  # fmt: skip
    with pytest.raises(BadSchedule):
        container.bus.execute(operator, bad)


def test_a_date_rule_reaches_every_consenting_member_on_that_day_only(story):
    _client, container, world, people = story
    today = business_date(container.clock.now())
    hello = MessageAction(Channel.INBOX, MessageKind.MARKETING, "双十二", "联盟双十二活动今天开始")
    for key, day in (("tomorrow", today + timedelta(days=1)), ("today", today)):
        rule = CreateRule(name=key, trigger="on_date", actions=(hello,), params={"on": day.isoformat()},
                          idempotency_key=key)  # fmt: skip
        container.bus.execute(admin_of(world.id), rule)
    system = system_actor(world.id, "test")
    container.bus.execute(system, RunSchedules())
    container.bus.execute(system, RunSchedules())
    got = {name: inbox(container, world.id, member) for name, (_t, member) in people.items()}
    assert got == {"ann": ["双十二"], "bob": [], "cai": ["双十二"]}
