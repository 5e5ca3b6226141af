"""The operator's automation page (/ops/automation) on the real services (SQLite and PostgreSQL):
presets in one click, the rule form with its errors on the field, a dry run that writes nothing,
runs and messages after the worker, pause/resume, and a dead letter retried."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from tests.integration.alliance.world import auth
from tests.integration.test_coalition_story import member_code, sign_up
from tests.integration.web.test_ops_pages import csrf, key, ops, sign_in  # noqa: F401 - the fixture

from guildcard.automation.sender import HttpTransport
from guildcard.automation.storage.tables import automation_messages, automation_rules
from guildcard.automation.worker import Worker

PAGE = "/ops/automation"


def count(container, table) -> int:
    with container.database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def section(page: str, ident: str) -> str:
    return re.search(rf'<section class="card ops-section" id="{ident}">.*?</section>', page, re.S).group(0)


def drain(container) -> None:
    http = HttpTransport(timeout=5)
    try:
        Worker(container.bus, container.database, http, wall_clock=container.clock.now).drain()
    finally:
        http.close()


def rule_form(client, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf(client, PAGE), "idempotency_key": key(client, PAGE), "name": "大单感谢",
        "trigger": "purchase", "condition": "payable_fen >= 10000", "channel": "inbox", "kind": "marketing",
        "title": "感谢光临", "body": "本次消费 $payable_yuan，获得 $points_earned 积分",
        "cap_per_member": "5",
        "cap_window_days": "7", "quiet_start": "", "quiet_end": "", "budget_runs": "", "action": "save",
    }  # fmt: skip
    form.update(changes)
    return form


def buy(client, member: str, merchant, order_no: str, amount_fen: int) -> None:
    done = client.post(
        "/api/v1/counter/purchases",
        json={"store_id": merchant.store_a, "member_code": member_code(client, member), "order_no": order_no,
              "amount_fen": amount_fen},
        headers=auth(merchant.cashier),
    )  # fmt: skip
    assert done.status_code == 201, done.text
    client.ops.container.clock.advance(timedelta(seconds=31))


def test_rules_from_presets_and_the_form_a_dry_run_runs_messages_and_pause(ops):  # noqa: F811
    container = ops.ops.container
    hot_pot, _cinema = ops.ops.merchants
    yes = sign_up(ops, ops.ops.alliance_id, "13912345678")
    no = sign_up(ops, ops.ops.alliance_id, "13912345679")
    granted = ops.put("/api/v1/me/consents/marketing", json={"granted": True, "version": "2026-11"},
                      headers=auth(yes))  # fmt: skip
    assert granted.status_code == 200, granted.text
    buy(ops, yes, hot_pot, "HP-1", 12800)
    buy(ops, no, hot_pot, "HP-2", 15000)
    buy(ops, yes, hot_pot, "HP-3", 3000)  # below the condition
    sign_in(ops)

    page = ops.get(PAGE)
    assert page.status_code == 200
    assert "<h1>自动营销</h1>" in page.text
    assert 'href="/ops/automation"' in page.text  # the menu entry
    assert "还没有规则" in page.text
    for name in ("新客欢迎", "新客首单礼", "大额消费感谢", "升级祝贺"):
        assert name in page.text
    assert "<code>payable_fen</code> (数值)" in page.text  # the trigger's fields
    assert "<code>$payable_yuan</code>" in page.text  # the template's variables

    # Errors name the field and keep what was typed.
    bad = ops.post(PAGE + "/rules", data=rule_form(ops, condition="payable_fen >>> 1"))
    assert bad.status_code == 422
    assert re.search(r'<input[^>]*name="condition"[^>]*aria-invalid="true"', bad.text)
    assert "payable_fen &gt;&gt;&gt; 1" in bad.text
    unknown = ops.post(PAGE + "/rules", data=rule_form(ops, body="你好 $nobody"))
    assert unknown.status_code == 422
    assert re.search(r'<textarea[^>]*name="body"[^>]*aria-invalid="true"', unknown.text)
    assert "变量" in unknown.text
    cap = ops.post(PAGE + "/rules", data=rule_form(ops, cap_per_member="0"))
    assert re.search(r'<input[^>]*name="cap_per_member"[^>]*aria-invalid="true"', cap.text)
    forged = ops.post(PAGE + "/rules", data=rule_form(ops, csrf_token="0" * 32))
    assert forged.status_code == 403
    assert count(container, automation_rules) == 0

    # The dry run: two purchases match, one member consented; nothing is written.
    trial = ops.post(PAGE + "/rules", data=rule_form(ops, action="dry_run"))
    assert trial.status_code == 200, trial.text
    shown = re.search(r"<section[^>]*data-dry-run>.*?</section>", trial.text, re.S).group(0)
    assert "将触达 1 位会员" in shown
    assert re.search(r"已发送 <strong>1</strong>", shown)
    assert re.search(r"未同意营销 <strong>1</strong>", shown)
    assert "本次消费 ¥121.60，获得 121 积分" in shown
    assert 'value="payable_fen &gt;= 10000"' in trial.text  # the form keeps what was typed
    assert count(container, automation_rules) == 0
    assert count(container, automation_messages) == 0

    saved = ops.post(PAGE + "/rules", data=rule_form(ops), follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == PAGE + "?done=rule_created"
    preset = ops.post(
        PAGE + "/presets/welcome", data={"csrf_token": csrf(ops, PAGE), "idempotency_key": key(ops, PAGE)}
    )
    assert preset.status_code == 200
    assert "规则已添加" in preset.text
    assert count(container, automation_rules) == 2

    drain(container)
    page = ops.get(PAGE).text
    rows = dict(re.findall(r'<tr data-rule="[^"]+"><td>([^<]+)</td>.*?data-reached>(\d+)<', page, re.S))
    assert rows == {"大单感谢": "1", "新客欢迎": "1"}
    assert "未同意营销 1" in page
    messages = section(page, "messages")
    assert messages.count("<tr data-message") == 2
    assert messages.count("已发送") == 2

    # Pause: the rule stops acting on new purchases; resume.
    rule_id = re.search(r'<tr data-rule="([^"]+)"><td>大单感谢<', page).group(1)
    paused = ops.post(
        f"{PAGE}/rules/{rule_id}/status", data={"csrf_token": csrf(ops, PAGE), "active": "0"},
        follow_redirects=False,
    )  # fmt: skip
    assert paused.headers["location"] == PAGE + "?done=rule_paused"
    page = ops.get(PAGE).text
    assert re.search(rf'<tr data-rule="{rule_id}">.*?data-status>已暂停<', page, re.S)
    buy(ops, yes, hot_pot, "HP-4", 20000)
    drain(container)
    assert count(container, automation_messages) == 2
    resumed = ops.post(f"{PAGE}/rules/{rule_id}/status", data={"csrf_token": csrf(ops, PAGE), "active": "1"})
    assert "规则已恢复" in resumed.text, re.findall(r"data-status>[^<]*<|role=\"alert\">[^<]*", resumed.text)
    assert re.search(rf'<tr data-rule="{rule_id}">.*?data-status>进行中<', ops.get(PAGE).text, re.S)

    # A saved rule's dry run; an unknown rule is refused.
    tried = ops.post(f"{PAGE}/rules/{rule_id}/dry-run", data={"csrf_token": csrf(ops, PAGE)})
    assert "试运行：大单感谢" in tried.text
    missing = ops.post(f"{PAGE}/rules/aut_none/dry-run", data={"csrf_token": csrf(ops, PAGE)})
    assert "没有这条自动化规则" in missing.text


def test_an_sms_message_without_a_provider_becomes_a_dead_letter_and_is_retried(ops):  # noqa: F811
    container = ops.ops.container
    hot_pot, _cinema = ops.ops.merchants
    member = sign_up(ops, ops.ops.alliance_id, "13912345678")
    sign_in(ops)
    saved = ops.post(
        PAGE + "/rules",
        data=rule_form(ops, channel="sms", kind="service", condition=""),
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    buy(ops, member, hot_pot, "HP-1", 12800)
    for _ in range(6):  # five failed attempts, spaced by the backoff
        drain(container)
        container.clock.advance(timedelta(hours=2))
    page = ops.get(PAGE).text
    dead = section(page, "dead-letters")
    message_id = re.search(r'data-dead="([^"]+)"', dead).group(1)
    assert "no provider configured" in dead
    retried = ops.post(
        f"{PAGE}/messages/{message_id}/retry",
        data={"csrf_token": csrf(ops, PAGE), "idempotency_key": key(ops, PAGE)},
        follow_redirects=False,
    )
    assert retried.headers["location"] == PAGE + "?done=message_retried"
    page = ops.get(PAGE + "?done=message_retried").text
    assert "该消息将重新发送" in page
    assert "没有投递失败的消息" in page
    again = ops.post(
        f"{PAGE}/messages/{message_id}/retry",
        data={"csrf_token": csrf(ops, PAGE), "idempotency_key": key(ops, PAGE)},
    )
    assert "只有投递失败（死信）的消息才能重试" in again.text


def test_a_win_back_rule_from_the_form_with_its_days_a_dry_run_and_a_bad_setting(ops):  # noqa: F811
    container = ops.ops.container
    hot_pot, _cinema = ops.ops.merchants
    member = sign_up(ops, ops.ops.alliance_id, "13912345678")
    buy(ops, member, hot_pot, "HP-1", 12800)
    sign_in(ops)
    page = ops.get(PAGE).text
    for name in ("生日礼", "沉睡唤醒", "积分到期提醒"):
        assert name in page
    assert "<code>days_quiet</code> (数值)" in page

    form = {"trigger": "quiet", "condition": "", "kind": "service", "name": "90 天唤醒",
            "title": "好久不见", "body": "已 $days_quiet 天没见到您"}  # fmt: skip
    bad = ops.post(PAGE + "/rules", data=rule_form(ops, **form, schedule_days="0"))
    assert bad.status_code == 422
    assert re.search(r'<input[^>]*name="schedule_days"[^>]*aria-invalid="true"', bad.text)
    assert "定时触发的设置无效" in bad.text

    container.clock.advance(timedelta(days=91))
    trial = ops.post(PAGE + "/rules", data=rule_form(ops, **form, schedule_days="90", action="dry_run"))
    shown = re.search(r"<section[^>]*data-dry-run>.*?</section>", trial.text, re.S).group(0)
    assert "将触达 1 位会员" in shown
    assert "已 91 天没见到您" in shown
    saved = ops.post(PAGE + "/rules", data=rule_form(ops, **form, schedule_days="90"), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    with container.database.read() as conn:
        (params,) = conn.execute(select(automation_rules.c.params)).scalars()
    assert params == {"days": 90}
