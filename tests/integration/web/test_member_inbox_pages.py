"""The member's inbox on the H5 (/m/inbox): delivered messages newest first, unread marked, an
unread badge on the card, "mark all read" through the bus (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.web.test_member_pages import buy_with_member_code, csrf, join, site  # noqa: F401 - the fixture
from tests.integration.web.test_ops_automation_pages import drain

from guildcard.automation.domain.rules import Channel, Controls, MessageAction, MessageKind
from guildcard.automation.handlers.rules import CreateRule
from guildcard.kernel.actors import Actor, ActorKind

NO_QUIET = Controls(cap_per_member=10, cap_window_days=1, quiet_start=None, quiet_end=None)


def rule(site, key: str, trigger: str, title: str, body: str) -> None:  # noqa: F811
    admin = Actor(ActorKind.OPERATOR, "opr_admin", site.alliance_id, role="admin")
    action = MessageAction(Channel.INBOX, MessageKind.SERVICE, title, body)
    command = CreateRule(name=key, trigger=trigger, actions=(action,), controls=NO_QUIET, idempotency_key=key)
    site.container.bus.execute(admin, command)


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
    buy_with_member_code(site, hot_pot, "HP-1", 18000)
    drain(site.container)

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
