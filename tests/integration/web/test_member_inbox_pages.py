"""The member's inbox on the H5 (/m/inbox): delivered messages newest first, unread marked, an
unread badge on the card, "mark all read" through the bus (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.web.test_member_pages import buy_with_member_code, csrf, join, site  # noqa: F401 - the fixture
from tests.integration.web.test_ops_automation_pages import drain

from guildcard.automation.domain.rules import Channel, Controls, MessageAction, MessageKind
from guildcard.automation.handlers.rules import CreateRule
from guildcard.automation.storage.rules import RuleRepository
from guildcard.kernel.actors import Actor, ActorKind

NO_QUIET = Controls(cap_per_member=10, cap_window_days=1, quiet_start=None, quiet_end=None)


def rule(site, key: str, trigger: str, title: str, body: str) -> None:  # noqa: F811
    admin = Actor(ActorKind.OPERATOR, "opr_admin", site.alliance_id, role="admin")
    action = MessageAction(Channel.INBOX, MessageKind.SERVICE, title, body)
    command = CreateRule(name=key, trigger=trigger, actions=(action,), controls=NO_QUIET, idempotency_key=key)
    site.container.bus.execute(admin, command)


def buy_and_drain(site, merchant, order_no: str, amount_fen: int) -> None:  # noqa: F811
    """The signed-in member buys with the code on their phone; the worker then runs."""
    buy_with_member_code(site, merchant, order_no, amount_fen)
    drain(site.container)


def test_the_inbox_lists_messages_newest_first_and_marks_them_read(site):  # noqa: F811
    rule(site, "welcome", "registered", "欢迎加入", "欢迎成为联盟会员")
    rule(site, "thanks", "purchase", "消费提醒", "本次消费 $payable_yuan，获得 $points_earned 积分")
    assert site.get("/m/inbox", follow_redirects=False).headers["location"] == "/m/login?next=/m/inbox"
    join(site)
    card = site.get("/m").text
    assert 'href="/m/inbox"' in card
    assert "data-unread-count" not in card  # nothing delivered before the worker runs

    drain(site.container)
    card = site.get("/m").text
    assert re.search(r"data-unread-count[^>]*>1<", card)
    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    site.container.clock.advance(timedelta(minutes=5))
    buy_and_drain(site, hot_pot, "HP-1", 18000)

    page = site.get("/m/inbox")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "2 条未读" in page.text
    titles = re.findall(r'<span class="m-kind">(?:<span class="m-dot"[^>]*>●</span> )?([^<]+)<', page.text)
    assert titles == ["消费提醒", "欢迎加入"]  # newest first
    assert page.text.count("data-unread") == 2
    assert "获得 171 积分" in page.text
    assert re.search(r"data-unread-count[^>]*>2<", site.get("/m").text)

    forged = site.post("/m/inbox/read", data={"csrf_token": "0" * 32}, follow_redirects=False)
    assert forged.status_code == 403
    read = site.post("/m/inbox/read", data={"csrf_token": csrf(site)}, follow_redirects=False)
    assert read.status_code == 303
    assert read.headers["location"] == "/m/inbox"
    page = site.get("/m/inbox").text
    assert "0 条未读" in page
    assert "data-unread" not in page
    assert "全部标为已读" not in page
    assert "data-unread-count" not in site.get("/m").text


def test_a_member_turns_service_inbox_messages_off_and_rules_leave_them_out(site):  # noqa: F811
    rule(site, "thanks", "purchase", "消费提醒", "本次获得 $points_earned 积分")
    join(site)
    page = site.get("/m/inbox/preferences")
    assert page.status_code == 200
    assert "消息设置" in page.text
    assert page.text.count(" checked") == 4  # everything on until the member says otherwise
    forged = site.post("/m/inbox/preferences", data={"csrf_token": "0" * 32}, follow_redirects=False)
    assert forged.status_code == 403
    saved = site.post(
        "/m/inbox/preferences",
        data={"csrf_token": csrf(site), "on": ["inbox:marketing", "sms:service"]},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/m/inbox/preferences?saved=1"
    page = site.get("/m/inbox/preferences?saved=1").text
    assert "消息设置已保存" in page
    assert re.search(r'data-pref="inbox:service"(?! checked)>', page)
    assert 'data-pref="inbox:marketing" checked' in page

    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    buy_and_drain(site, hot_pot, "HP-9", 5000)
    assert "消费提醒" not in site.get("/m/inbox").text  # the service inbox message was turned off
    with site.container.database.read() as conn:
        counts = RuleRepository(conn, site.alliance_id).run_counts()
    assert [o for (_r, o) in counts] == ["opted_out"]
