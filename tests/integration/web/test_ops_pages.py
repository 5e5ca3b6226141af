"""The operator console, page by page, on the real services (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from tests.integration.alliance.world import PASSWORD, Builder, auth, make_client
from tests.integration.test_coalition_story import member_code, sign_up

from guildcard.web.i18n import translations
from guildcard.web.routes import ops_support


@pytest.fixture
def ops(database):
    client, container = make_client(database)
    with client:
        builder = Builder(client, container)
        alliance_id, admin = builder.alliance("ops")
        hot_pot, cinema = builder.merchant(alliance_id, admin), builder.merchant(alliance_id, admin)
        client.ops = type("Ops", (), {})()  # type: ignore[attr-defined]
        client.ops.__dict__.update(
            container=container,
            builder=builder,
            alliance_id=alliance_id,
            admin=admin,
            merchants=(hot_pot, cinema),
        )
        yield client


def sign_in(client, login: str = "admin-ops", password: str = PASSWORD):
    return client.post(
        "/ops/login", data={"alliance": "ops", "login": login, "password": password}, follow_redirects=False
    )


def csrf(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)


def key(client, path: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', client.get(path).text).group(1)


def test_a_stranger_is_sent_to_sign_in_and_a_wrong_password_is_explained(ops):
    assert ops.get("/ops", follow_redirects=False).headers["location"] == "/ops/login?next=/ops"
    wrong = sign_in(ops, password="not the password")
    assert wrong.status_code == 401
    assert "账号或密码错误" in wrong.text
    ops.cookies.set("gc_lang", "en")
    assert "Wrong login or password." in sign_in(ops, password="not the password").text
    ops.cookies.delete("gc_lang")
    assert "gc_session" not in wrong.cookies
    signed = sign_in(ops)
    assert signed.status_code == 303
    assert signed.headers["location"] == "/ops"
    assert "gc_session" in ops.cookies


def test_merchant_staff_cannot_use_the_operator_console(ops):
    login = next(
        s["login"]
        for s in ops.get(
            f"/api/v1/merchants/{ops.ops.merchants[0].id}/staff", headers=auth(ops.ops.admin)
        ).json()
        if s["role"] == "owner"
    )
    refused = sign_in(ops, login=login)
    assert refused.status_code == 403
    assert "gc_session" not in ops.cookies


def test_the_dashboard_shows_figures_the_daily_trend_and_where_points_flow(ops):
    hot_pot, cinema = ops.ops.merchants
    member = sign_up(ops, ops.ops.alliance_id, "13912345678")
    earned = ops.post(
        "/api/v1/counter/purchases",
        json={"store_id": hot_pot.store_a, "member_code": member_code(ops, member), "order_no": "HP-1",
              "amount_fen": 12800},
        headers=auth(hot_pot.cashier),
    )  # fmt: skip
    assert earned.status_code == 201, earned.text
    ops.ops.container.clock.advance(timedelta(seconds=31))
    spent = ops.post(
        "/api/v1/counter/purchases",
        json={"store_id": cinema.store_a, "member_code": member_code(ops, member), "order_no": "CI-1",
              "amount_fen": 5000, "points_to_use": 100},
        headers=auth(cinema.cashier),
    )  # fmt: skip
    assert spent.status_code == 201, spent.text
    sign_in(ops)

    page = ops.get("/ops")
    assert page.status_code == 200
    assert "会员" in page.text
    assert "本月发放积分" in page.text
    figures = re.findall(r'<div class="stat">([^<]+)</div>', page.text)
    assert figures[:2] == ["1", "2"]  # one member, two active merchants
    assert figures[2] == str(121 + 46)
    assert figures[3] == "100"
    assert figures[4] == "67"  # outstanding: 167 issued - 100 spent
    assert page.text.count("<rect") == 30  # one bar per day
    # issue 12 item 22: the scale, a value on focus, the same figures as a table
    assert re.search(r'class="axis-top">167<', page.text)
    assert page.text.count('<g class="bar" tabindex="0" aria-label="') == 30
    data = re.search(r'<details class="chart-data">.*?</details>', page.text, re.S).group(0)
    assert "以表格查看数据" in data
    assert data.count("<tr><td>") == 30
    assert re.search(r'<td class="num">167</td>', data)
    matrix = re.search(r'<table class="flow-matrix">.*?</table>', page.text, re.S).group(0)
    assert "蜀香火锅" in matrix
    assert ">100<" in matrix

    verified = ops.post("/ops/verify", data={"csrf_token": csrf(ops, "/ops")})
    assert "账本校验通过" in verified.text or "所有不变量均成立" in verified.text


def test_an_application_is_approved_rejected_or_sent_back_through_the_pages(ops):
    b = ops.ops.builder
    first, second = b.apply(ops.ops.alliance_id, 901), b.apply(ops.ops.alliance_id, 902)
    sign_in(ops)
    listed = ops.get("/ops/applications")
    assert f"/ops/applications/{first}" in listed.text
    assert "蜀香火锅901号" in listed.text

    token = csrf(ops, f"/ops/applications/{first}")
    approved = ops.post(
        f"/ops/applications/{first}/review",
        data={"csrf_token": token, "decision": "approve", "owner_login": "owner-901",
              "idempotency_key": key(ops, f"/ops/applications/{first}")},
    )  # fmt: skip
    assert approved.status_code == 200, approved.text
    assert "owner-901" in approved.text
    assert "/ops/activate?token=" in approved.text
    merchants = ops.get("/ops/merchants?status=active")
    assert "蜀香火锅901号" in merchants.text

    no_reason = ops.post(
        f"/ops/applications/{second}/review", data={"csrf_token": token, "decision": "reject"}
    )
    assert no_reason.status_code == 422
    assert 'class="notice error"' in no_reason.text
    sent_back = ops.post(
        f"/ops/applications/{second}/review",
        data={"csrf_token": token, "decision": "request_changes", "reason": "营业执照照片不清晰"},
    )
    assert sent_back.status_code == 200
    assert "营业执照照片不清晰" in sent_back.text
    assert "/ops/applications/" + second in ops.get("/ops/applications?status=changes_requested").text


def test_an_activation_link_sets_the_first_password(ops):
    b = ops.ops.builder
    application = b.apply(ops.ops.alliance_id, 903)
    sign_in(ops)
    page = ops.post(
        f"/ops/applications/{application}/review",
        data={"csrf_token": csrf(ops, "/ops"), "decision": "approve", "owner_login": "owner-903"},
    )
    token = re.search(r"/ops/activate\?token=([^<\s]+)", page.text).group(1)
    assert ops.get(f"/ops/activate?token={token}").status_code == 200
    differ = ops.post("/ops/activate", data={"token": token, "password": PASSWORD, "password_again": "x"})
    assert differ.status_code == 422
    assert "两次输入的密码不一致" in differ.text
    done = ops.post(
        "/ops/activate", data={"token": token, "password": PASSWORD, "password_again": PASSWORD},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"].startswith("/staff/login")
    assert b.login("ops", "owner-903")


def test_merchant_terms_and_suspension(ops):
    hot_pot = ops.ops.merchants[0]
    sign_in(ops)
    path = f"/ops/merchants/{hot_pot.id}"
    page = ops.get(path)
    assert "人民广场店" in page.text
    assert "138****" in page.text
    # yuan and percent on the form (issue 12 item 17), stored as fen and fractions
    terms = {"points_per_yuan": "2", "issue_price_fen_per_point": "0.8", "reimbursement_fen_per_point": "0.7",
             "commission_rate": "3", "member_discount": "5", "entry_fee_yuan": "1000"}  # fmt: skip
    token = csrf(ops, path)
    assert "平台佣金（%）" in page.text
    assert "入驻费（¥）" in page.text
    too_rich = ops.post(
        f"{path}/contracts",
        data={**terms, "points_per_yuan": "50", "effective_from": "2026-12-01", "csrf_token": token},
    )
    assert too_rich.status_code == 422
    assert "每元积分 0–10：该条款超出了联盟允许的范围" in too_rich.text
    before = ops.get(f"/api/v1/merchants/{hot_pot.id}/contracts", headers=auth(ops.ops.admin)).json()
    preview = ops.post(
        f"{path}/contracts",
        data={**terms, "effective_from": "2026-12-01", "csrf_token": token, "preview": "1"},
    )
    assert preview.status_code == 200
    example = "会员消费 ¥100.00 → 发放 200 积分（商家为此支付 ¥1.60），平台佣金 ¥3.00，会员折扣 ¥5.00"
    assert example in preview.text
    assert "按这些条款" in preview.text
    assert re.search(r'<input id="commission_rate"[^>]*value="3"', preview.text)
    versions = ops.get(f"/api/v1/merchants/{hot_pot.id}/contracts", headers=auth(ops.ops.admin)).json()
    assert versions == before  # a preview saves nothing
    saved = ops.post(f"{path}/contracts", data={**terms, "effective_from": "2026-12-01", "csrf_token": token})
    assert saved.status_code == 200
    assert "2026-12-01 00:00" in saved.text
    stored = ops.get(f"/api/v1/merchants/{hot_pot.id}/contracts", headers=auth(ops.ops.admin)).json()
    (new,) = [v for v in stored if v not in before]
    assert (new["terms"]["commission_rate"], new["terms"]["member_discount"]) == ("0.03", "0.05")
    assert new["terms"]["entry_fee_fen"] == 100000

    suspended = ops.post(
        f"{path}/status", data={"status": "suspended", "reason": "拖欠结算款", "csrf_token": token}
    )
    assert "已暂停" in suspended.text
    assert "拖欠结算款" in suspended.text
    assert "已暂停" in ops.get("/ops/merchants").text
    again = ops.post(f"{path}/status", data={"status": "active", "csrf_token": token})
    assert again.status_code == 200
    assert "已恢复" in again.text


def test_settings_save_and_only_administrators_may_change_them(ops):
    sign_in(ops)
    token = csrf(ops, "/ops/settings")
    saved = ops.post(
        "/ops/settings/loyalty",
        data={"csrf_token": token, "idempotency_key": "k1", "redeem_points_per_yuan": "1000",
              "max_redeem_share_percent": "30", "min_order_yuan": "20", "pending_days": "7",
              "only_members_earn": "on", "growth_per_yuan": "1", "backfill_window_days": "15"},
    )  # fmt: skip
    assert saved.status_code == 200
    assert "设置已保存" in saved.text
    settings = ops.ops.container.loyalty.get_settings(alliance_id=ops.ops.alliance_id)
    assert (settings.redeem_points_per_yuan, settings.pending_days, settings.only_members_earn) == (
        1000,
        7,
        True,
    )
    assert settings.min_order_for_redeem_fen == 2000
    assert str(settings.max_redeem_share) == "0.3"

    ledger = ops.post(
        "/ops/settings/ledger",
        data={"csrf_token": token, "expiry_kind": "calendar", "expiry_period": "1",
              "negative_mode": "allow_negative", "negative_limit": "500"},
    )  # fmt: skip
    assert ledger.status_code == 200
    assert 'value="calendar" selected' in ledger.text
    assert 'value="500"' in ledger.text
    breakage = ops.post(
        "/ops/settings/breakage",
        data={"csrf_token": token, "idempotency_key": "k2", "breakage_mode": "issuers_pro_rata"},
    )
    assert 'value="issuers_pro_rata" checked' in breakage.text

    viewer = ops.ops.builder.operator(ops.ops.alliance_id, ops.ops.admin, "viewer")
    ops.cookies.set("gc_session", viewer)
    refused = ops.post(
        "/ops/settings/breakage",
        data={"csrf_token": csrf(ops, "/ops/settings"), "idempotency_key": "k3", "breakage_mode": "platform"},
    )
    assert refused.status_code == 422
    assert "您的角色无权执行此操作" in refused.text
    assert 'value="issuers_pro_rata" checked' in refused.text


def test_a_forged_form_changes_nothing(ops):
    sign_in(ops)
    forged = ops.post(
        "/ops/settings/breakage", data={"csrf_token": "0" * 64, "breakage_mode": "issuers_pro_rata"}
    )
    assert forged.status_code == 403  # refused, and the page says why
    assert "表单已过期" in forged.text
    assert 'value="platform" checked' in forged.text


def test_a_campaign_gets_a_budget_and_the_page_shows_its_consumption(ops):
    sign_in(ops)
    token = csrf(ops, "/ops/campaigns")
    form = {"csrf_token": token, "name": "双倍周末", "multiplier": "2", "first_day": "2026-11-23",
            "members_only": "on"}  # fmt: skip
    refused = ops.post("/ops/campaigns", data={**form, "idempotency_key": "b0", "budget_points": "0"})
    assert refused.status_code == 422
    assert "活动预算须为不少于 1 的整数积分" in refused.text
    created = ops.post("/ops/campaigns", data={**form, "idempotency_key": "b1", "budget_points": "5000"})
    assert created.status_code == 200
    assert "已发 0 / 5000 积分，剩余 5000，0 笔消费" in created.text
    campaign = ops.ops.container.loyalty.list_campaigns(alliance_id=ops.ops.alliance_id)[0]
    assert campaign.budget_points == 5000


def test_campaigns_limits_settlement_and_audit(ops):
    hot_pot = ops.ops.merchants[0]
    sign_in(ops)
    token = csrf(ops, "/ops/campaigns")
    created = ops.post(
        "/ops/campaigns",
        data={"csrf_token": token, "idempotency_key": "c1", "name": "周三会员日", "multiplier": "2",
              "first_day": "2026-11-23", "weekdays": "3", "members_only": "on"},
    )  # fmt: skip
    assert created.status_code == 200
    assert "周三会员日" in created.text
    assert "进行中" in created.text
    campaign_id = ops.ops.container.loyalty.list_campaigns(alliance_id=ops.ops.alliance_id)[0].campaign_id
    ended = ops.post(f"/ops/campaigns/{campaign_id}/end", data={"csrf_token": token, "idempotency_key": "c2"})
    assert "已结束" in ended.text

    limit = ops.post(
        "/ops/limits",
        data={"csrf_token": token, "idempotency_key": "l1", "merchant_id": hot_pot.id, "limit_points": "5000",
              "period_kind": "month", "mode": "prepaid"},
    )  # fmt: skip
    assert limit.status_code == 200
    assert "5,000" in limit.text
    assert "2026-11" in limit.text

    november = ops.get("/ops/settlement?period=2026-11")
    assert "预览" in november.text
    assert "/ops/settlement/2026-11/close" not in november.text
    assert "/api/v1/settlement/statements/2026-11/export.csv" in november.text
    ops.ops.container.clock.advance(timedelta(days=9))  # December in Shanghai
    sign_in(ops)  # the session lasted 12 hours
    token = csrf(ops, "/ops/settlement")
    assert "/ops/settlement/2026-11/close" in ops.get("/ops/settlement").text  # last month by default
    closed = ops.post("/ops/settlement/2026-11/close", data={"csrf_token": token, "confirm": "on"})
    assert closed.status_code == 200
    assert "已结算" in closed.text
    assert "/close" not in closed.text

    audit = ops.get("/ops/audit", params={"object_type": "merchant"})
    assert 'data-action="merchant.suspend"' not in audit.text
    assert "<code>merchant</code>" not in audit.text
    everything = ops.get("/ops/audit")
    assert "登录" in everything.text
    assert ops.get("/ops/audit", params={"since": "not a date"}).status_code == 422

    # Issue 12 item 16: readable lines (who by name, what in words, the object by its name), no codes.
    rows = re.findall(r'<tr data-action="([^"]+)">(.*?)</tr>', everything.text, re.S)
    text = {action: re.sub(r"<[^>]+>", " ", row) for action, row in rows}
    assert "关闭结算期" in text["settlement.close_period"]
    assert "结算期 2026-11" in text["settlement.close_period"]
    assert "创建营销活动" in text["loyalty.create_campaign"]
    assert "营销活动 周三会员日" in text["loyalty.create_campaign"]
    assert "（运营）" in text["settlement.close_period"]
    for row in text.values():
        assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", row), row  # no raw action codes
        assert "=" not in row
    closes = ops.get("/ops/audit", params={"action": "settlement.close_period"}).text
    assert set(re.findall(r'<tr data-action="([^"]+)"', closes)) == {"settlement.close_period"}
    admin_id = re.search(r'<option value="(opr_[^"]+)"[^>]*>', everything.text).group(1)
    mine = ops.get("/ops/audit", params={"actor_id": admin_id}).text
    assert 'data-action="settlement.close_period"' in mine
    limits = ops.get("/ops/audit", params={"merchant_id": hot_pot.id}).text
    assert 'data-action="settlement.set_limit"' in limits
    assert 'data-action="loyalty.create_campaign"' not in limits


def test_every_message_the_console_picks_in_code_has_a_chinese_translation():
    zh = translations("zh-CN")
    messages = [label for _path, label in ops_support.MENU]
    messages += [*ops_support.DONE_MESSAGES.values()]  # errors: tests/unit/test_error_catalogue.py
    messages += ["This console is for alliance operators. Staff sign in at /staff."]
    messages += ["Alliance grants", "Points mall"]
    assert [m for m in messages if zh.gettext(m) == m] == []
