"""The operator console in a real Chromium: sign in, see the flows, approve a merchant, save settings.

Activity is seeded through the public API first (two merchants with contracts, a member who
earns at the hot-pot and spends at the cinema), so the dashboard's charts are not empty.
The seeding client uses its own loopback address: the API's per-address limits (sign-ins,
applications) are shared by every test of the session, which all come from 127.0.0.1.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlparse

import pytest
from tests.support.server import seeding_client

from guildcard.alliance.domain.credit_code import check_character
from guildcard.kernel.clock import BUSINESS_TZ

pytestmark = pytest.mark.browser
SEED_ADDRESS = "127.0.0.61"
PASSWORD = "correct horse battery"
TERMS = {
    "points_per_yuan": "1",
    "issue_price_fen_per_point": "0.8",
    "reimbursement_fen_per_point": "0.7",
    "commission_rate": "0.03",
    "member_discount": "0.05",
    "entry_fee_fen": 100000,
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Seeder:
    def __init__(self, live_server) -> None:
        self.live = live_server
        self.http = seeding_client(live_server.base_url, source=SEED_ADDRESS)
        self.rand = random.Random()
        self.admin = self.login("admin", live_server.admin_password)

    def login(self, login: str, password: str) -> str:
        r = self.http.post(
            "/api/v1/auth/login", json={"alliance": "e2e", "login": login, "password": password}
        )
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def apply(self, name: str, category: str) -> str:
        body = f"91310{self.rand.randrange(10**11, 10**12)}"
        r = self.http.post(
            f"/api/v1/alliances/{self.live.alliance_id}/merchant-applications",
            json={"business_name": name, "category": category, "credit_code": body + check_character(body),
                  "legal_representative": "王芳", "contact_phone": f"139{self.rand.randrange(10**7, 10**8)}",
                  "store_name": f"{name} 人民广场店", "store_address": "上海市黄浦区南京东路100号",
                  "store_latitude": "31.235929", "store_longitude": "121.480539"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        return r.json()["application"]["id"]

    def merchant(self, name: str, category: str) -> tuple[str, str, str]:
        """An approved merchant with a contract from today: (merchant id, store id, owner token)."""
        owner_login = f"ops-owner-{self.rand.randrange(10**8)}"
        r = self.http.post(
            f"/api/v1/merchant-applications/{self.apply(name, category)}/reviews",
            json={"decision": "approve", "owner_login": owner_login},
            headers=bearer(self.admin),
        )
        assert r.status_code == 200, r.text
        approval = r.json()
        r = self.http.post(
            "/api/v1/auth/activate", json={"token": approval["owner_activation_token"], "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        today = datetime.now(BUSINESS_TZ).date().isoformat()
        r = self.http.post(
            f"/api/v1/merchants/{approval['merchant']['id']}/contracts",
            json={"effective_from": today, "terms": TERMS},
            headers=bearer(self.admin),
        )
        assert r.status_code == 201, r.text
        return approval["merchant"]["id"], approval["store"]["id"], self.login(owner_login, PASSWORD)

    def member(self) -> str:
        """A member who lets cashiers find them by phone; returns the phone."""
        phone, base = f"137{self.rand.randrange(10**7, 10**8)}", f"/api/v1/alliances/{self.live.alliance_id}"
        assert self.http.post(f"{base}/otp", json={"phone": phone, "purpose": "register"}).status_code == 202
        code = self.http.get("/api/v1/dev/outbox", params={"phone": phone}).json()[0]["code"]
        r = self.http.post(
            f"{base}/members/session", json={"phone": phone, "code": code, "accept_terms_version": "2026-11"}
        )
        assert r.status_code == 201, r.text
        r = self.http.put(
            "/api/v1/me/consents/phone_lookup",
            json={"granted": True, "version": "2026-11"},
            headers=bearer(r.json()["token"]),
        )
        assert r.status_code == 200, r.text
        return phone

    def purchase(self, owner: str, store_id: str, phone: str, amount_fen: int, points: int = 0) -> dict:
        order = f"OPS-{self.rand.randrange(10**9)}"
        r = self.http.post(
            "/api/v1/counter/purchases",
            json={"store_id": store_id, "phone": phone, "order_no": order, "amount_fen": amount_fen,
                  "points_to_use": points},
            headers=bearer(owner),
        )  # fmt: skip
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture(scope="module")
def seeded(live_server) -> Iterator[Seeder]:
    seeder = Seeder(live_server)
    _hot_pot, hot_pot_store, hot_pot_owner = seeder.merchant("蜀香火锅(运营测试)", "dining")
    _cinema, cinema_store, cinema_owner = seeder.merchant("星光影城(运营测试)", "cinema")
    phone = seeder.member()
    assert seeder.purchase(hot_pot_owner, hot_pot_store, phone, 28800)["points_earned"] == 273
    assert seeder.purchase(cinema_owner, cinema_store, phone, 8000, points=200)["points_used"] == 200
    yield seeder
    seeder.http.close()


@pytest.fixture(scope="module")
def operator(browser, live_server, seeded) -> Iterator[tuple[object, set[str]]]:
    """A browser context signed in as the alliance's admin through the login page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    hosts: set[str] = set()
    context.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page = context.new_page()
    page.goto(f"{live_server.base_url}/ops")
    assert page.url.endswith("/ops/login?next=/ops")
    page.fill("#alliance", "e2e")
    page.fill("#login", "admin")
    page.fill("#password", live_server.admin_password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.base_url}/ops")
    page.close()
    yield context, hosts
    context.close()
    assert hosts == {urlparse(live_server.base_url).netloc}, "the console contacted another host"


def test_the_dashboard_shows_the_daily_trend_and_where_points_flow(operator, live_server, artifacts_dir):
    context, _hosts = operator
    page = context.new_page()
    page.goto(f"{live_server.base_url}/ops")
    assert page.locator("h1").first.inner_text().startswith("概览")
    assert page.locator("figure.chart svg rect").count() == 30
    matrix = page.locator("table.flow-matrix")
    assert "蜀香火锅(运营测试)" in matrix.inner_text()
    assert "星光影城(运营测试)" in matrix.inner_text()
    assert page.locator("table.flow-matrix td", has_text="200").count() >= 1
    page.get_by_role("button", name="立即校验账本").click()
    page.wait_for_load_state()
    assert "所有不变量均成立" in page.locator("#ledger").inner_text()
    page.screenshot(path=str(artifacts_dir / "ops-dashboard.png"), full_page=True)
    page.close()


def test_an_application_submitted_through_the_api_is_approved_in_the_console(operator, live_server, seeded):
    context, _hosts = operator
    seeded.apply("悦读书店(运营测试)", "books")
    page = context.new_page()
    page.goto(f"{live_server.base_url}/ops/applications")
    page.get_by_role("link", name="悦读书店(运营测试)").click()
    page.fill("#owner_login", f"ops-books-{seeded.rand.randrange(10**6)}")
    page.get_by_role("button", name="通过").click()
    assert page.get_by_role("heading", name="已通过：商家已开通").is_visible()
    assert "/ops/activate?token=" in page.locator(".ops-token").inner_text()
    page.goto(f"{live_server.base_url}/ops/merchants?status=active")
    row = page.locator("tr", has_text="悦读书店(运营测试)")
    assert row.locator(".badge").inner_text() == "正常"
    page.close()


def test_the_audit_log_reads_in_words_and_filters_by_action(operator, live_server, artifacts_dir):
    """Issue 12 item 16: who by name, what in words, on which object by its name; filters."""
    context, _hosts = operator
    page = context.new_page()
    page.goto(f"{live_server.base_url}/ops/audit")
    first = page.locator("#audit tbody tr").first
    assert (
        "（运营）" in first.locator("td.who").inner_text()
        or "（商户员工）" in first.locator("td.who").inner_text()
    )
    assert "auth.login" not in page.locator("#audit").inner_text()
    page.screenshot(path=str(artifacts_dir / "ops-audit.png"), full_page=True)
    page.select_option("#action", "auth.login")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    whats = page.locator("#audit td.what").all_inner_texts()
    assert whats
    assert set(whats) == {"登录"}
    page.close()


def test_the_settings_form_saves_and_the_menu_folds_on_a_phone(operator, live_server, artifacts_dir):
    context, _hosts = operator
    page = context.new_page()
    page.goto(f"{live_server.base_url}/ops/settings")
    before = page.input_value("#backfill_window_days")
    page.fill("#backfill_window_days", "45")
    page.get_by_role("button", name="保存积分设置").click()
    assert page.locator(".notice.ok").inner_text() == "设置已保存。"
    assert page.input_value("#backfill_window_days") == "45"
    page.fill("#backfill_window_days", before)  # leave the shared alliance as other tests expect it
    page.get_by_role("button", name="保存积分设置").click()
    assert page.input_value("#backfill_window_days") == before

    page.set_viewport_size({"width": 375, "height": 740})
    assert not page.get_by_role("link", name="结算").is_visible()
    page.get_by_text("菜单").click()
    assert page.get_by_role("link", name="结算").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts_dir / "ops-settings-375.png"), full_page=True)
    page.close()


def test_a_campaign_with_a_budget_shows_what_it_has_given(operator, live_server, artifacts_dir):
    context, _hosts = operator
    page = context.new_page()
    page.goto(f"{live_server.base_url}/ops/campaigns")
    page.fill("#name", "预算双倍日")
    page.fill("#budget_points", "3000")
    page.get_by_role("button", name="创建活动").click()
    page.wait_for_load_state()
    row = page.locator("tr", has_text="预算双倍日")
    assert "已发 0 / 3000 积分，剩余 3000，0 笔消费" in row.inner_text()
    page.screenshot(path=str(artifacts_dir / "ops-campaign-budget.png"), full_page=True)
    for form in page.locator("tr", has_text="预算双倍日").locator("form").all():  # end it: a shared alliance
        page.once("dialog", lambda dialog: dialog.accept())
        form.get_by_role("button").click()
        page.wait_for_load_state()


def test_a_win_back_preset_is_added_in_one_click_and_the_form_takes_a_schedule(
    operator, live_server, artifacts_dir
):
    context, _hosts = operator
    page = context.new_page()
    page.goto(f"{live_server.base_url}/ops/automation")
    page.locator('button[data-preset="win_back"]').click()
    page.wait_for_load_state()
    assert "规则已添加" in page.content()
    assert page.locator("tr[data-rule]", has_text="沉睡唤醒").count() == 1
    assert page.get_by_label("定时触发的天数").is_visible()
    assert page.get_by_label("指定日期触发的日期").is_visible()
    page.screenshot(path=str(artifacts_dir / "ops-automation-schedules.png"), full_page=True)
    page.close()
