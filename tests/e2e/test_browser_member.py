"""The member H5 in a real Chromium at phone size: join, show the card, see where points came
from, find a merchant, change consents, export and erase. Only the app's own host is contacted."""

from __future__ import annotations

import json
import re
from datetime import datetime
from itertools import count
from urllib.parse import urlparse

import pytest
from tests.integration.alliance.world import TERMS, application_body
from tests.support.server import seeding_client

from guildcard.kernel.clock import BUSINESS_TZ

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PHONE_WIDTH = {"width": 375, "height": 740}
_phones = count(13700000001)


class Api:
    """The JSON API of the live server, as the merchant's and operator's software uses it."""

    def __init__(self, base_url: str) -> None:
        self.http = seeding_client(base_url, source="127.0.0.63", timeout=20)

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else {}

    def login(self, login: str, password: str = PASSWORD) -> str:
        body = {"alliance": "e2e", "login": login, "password": password}
        return self.call("POST", "/api/v1/auth/login", json=body)["token"]

    def approved_merchant(self, alliance_id: str, admin: str, n: int, **application: str) -> dict:
        created = self.call(
            "POST",
            f"/api/v1/alliances/{alliance_id}/merchant-applications",
            json=application_body(n, **application),
        )
        review = {"decision": "approve", "owner_login": f"member-e2e-owner-{n}"}
        path = f"/api/v1/merchant-applications/{created['application']['id']}/reviews"
        return self.call("POST", path, admin, json=review)

    def activate(self, token: str) -> None:
        self.call("POST", "/api/v1/auth/activate", json={"token": token, "password": PASSWORD})


@pytest.fixture(scope="module")
def hot_pot(live_server) -> dict:
    """A hot-pot restaurant with a contract and a cashier, and a cinema, built through the API."""
    api = Api(live_server.base_url)
    admin = api.login("admin", live_server.admin_password)
    approval = api.approved_merchant(
        live_server.alliance_id, admin, 7101, business_name="蜀香火锅", store_name="蜀香火锅 南京路店"
    )
    merchant_id, store_id = approval["merchant"]["id"], approval["store"]["id"]
    api.activate(approval["owner_activation_token"])
    owner = api.login("member-e2e-owner-7101")
    staff = api.call(
        "POST",
        f"/api/v1/merchants/{merchant_id}/staff",
        owner,
        json={
            "login": "member-e2e-cashier",
            "display_name": "收银员",
            "role": "cashier",
            "store_ids": [store_id],
        },
    )
    api.activate(staff["activation_token"])
    api.call(
        "POST",
        f"/api/v1/merchants/{merchant_id}/contracts",
        admin,
        json={"effective_from": datetime.now(BUSINESS_TZ).date().isoformat(), "terms": TERMS},
    )
    api.approved_merchant(
        live_server.alliance_id,
        admin,
        7102,
        business_name="星光影院",
        category="cinema",
        store_name="星光影院",
    )
    return {"api": api, "store_id": store_id, "cashier": api.login("member-e2e-cashier"), "name": "蜀香火锅"}


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(viewport=PHONE_WIDTH, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    yield page
    context.close()
    assert hosts == {urlparse(live_server.base_url).netloc}, "a page contacted another host"


def join(page, base_url: str) -> str:
    """Register a new member through the pages, reading the code from the development outbox."""
    phone = str(next(_phones))
    page.goto(f"{base_url}/m/e2e/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    assert "验证码已发送至" in page.locator(".notice.ok").inner_text()
    outbox = page.request.get(base_url + page.locator(".m-dev a").get_attribute("href")).json()
    page.get_by_label("验证码").fill(outbox[0]["code"])
    page.get_by_label(re.compile("会员条款")).check()
    page.get_by_role("button", name="登录 / 注册").click()
    page.wait_for_url(f"{base_url}/m")
    return phone


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_member_joins_and_the_card_shows_a_qr_code_that_refreshes_itself(
    phone_page, live_server, artifacts_dir
):
    page = phone_page
    page.clock.install()  # the page's own clock, so the countdown can be run forward
    page.goto(f"{live_server.base_url}/m/e2e/login")
    assert fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / "member-login.png"))
    join(page, live_server.base_url)

    assert page.locator(".m-alliance").inner_text() == "测试商圈联盟"
    assert page.locator(".m-tier").inner_text() == "普通会员"
    assert page.locator(".m-qr svg").count() == 1
    assert page.locator(".m-qr svg").bounding_box()["width"] >= 200  # large enough to scan
    digits = page.locator("[data-digits]").inner_text()
    assert re.fullmatch(r"\d{7,18}", digits)
    assert fits_the_phone(page)

    # When the countdown runs out, the page asks for the current code on its own.
    with page.expect_response("**/api/v1/me/member-code") as answer:
        page.clock.fast_forward(31_000)
    fresh = answer.value.json()
    page.wait_for_function(
        "expected => document.querySelector('[data-digits]').textContent === expected", arg=fresh["digits"]
    )
    assert int(page.locator("[data-countdown]").inner_text()) > 0
    assert page.locator(".m-qr svg").bounding_box()["width"] >= 200


def test_the_history_names_the_merchant_where_points_were_earned(
    phone_page, live_server, hot_pot, artifacts_dir
):
    """...and the card then shows them (the screenshot of the card is taken here, with points)."""
    page = phone_page
    join(page, live_server.base_url)
    code = page.request.get(f"{live_server.base_url}/api/v1/me/member-code").json()["digits"]
    receipt = hot_pot["api"].call(
        "POST",
        "/api/v1/counter/purchases",
        hot_pot["cashier"],
        json={
            "store_id": hot_pot["store_id"],
            "member_code": code,
            "order_no": "E2E-M-1",
            "amount_fen": 12800,
        },
    )
    earned = receipt["points_earned"]
    assert earned > 0

    page.locator(".m-tabs").get_by_role("link", name="明细").click()
    first = page.locator(".m-history li").first
    assert hot_pot["name"] in first.inner_text()
    assert f"+{earned}" in first.inner_text()
    assert "获得" in first.inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / "member-history.png"), full_page=True)

    page.locator(".m-tabs").get_by_role("link", name="会员卡").click()
    assert page.locator("[data-balance]").inner_text() == str(earned)
    page.screenshot(path=str(artifacts_dir / "member-card.png"))


def test_after_a_purchase_the_card_shows_a_fresh_code_and_what_just_happened(
    phone_page, live_server, hot_pot, artifacts_dir
):
    """Issue 12 item 10: the used code leaves the screen at once, even after a reload."""
    page = phone_page
    join(page, live_server.base_url)
    shown = page.locator("[data-digits]").inner_text()

    def buy(code: str, order_no: str) -> dict:
        return hot_pot["api"].call(
            "POST", "/api/v1/counter/purchases", hot_pot["cashier"],
            json={"store_id": hot_pot["store_id"], "member_code": code, "order_no": order_no,
                  "amount_fen": 12800},
        )  # fmt: skip

    earned = buy(shown, "E2E-M-FRESH-1")["points_earned"]
    page.wait_for_function(
        "used => document.querySelector('[data-digits]').textContent !== used", arg=shown, timeout=10_000
    )
    visit = page.locator("[data-visit]")
    assert visit.is_visible()
    assert visit.inner_text() == f"蜀香火锅 消费 ¥121.60，获得 {earned} 积分"
    page.screenshot(path=str(artifacts_dir / "member-card-after-purchase.png"))

    page.reload()
    fresh = page.locator("[data-digits]").inner_text()
    assert fresh != shown
    assert "蜀香火锅 消费 ¥121.60" in page.locator("[data-visit]").inner_text()
    assert buy(fresh, "E2E-M-FRESH-2")["points_earned"] == earned  # the code on screen works at once


def test_the_directory_finds_the_hot_pot_by_pinyin_initials(phone_page, live_server, hot_pot, artifacts_dir):
    page = phone_page
    join(page, live_server.base_url)
    page.locator(".m-tabs").get_by_role("link", name="商家").click()
    assert page.locator(".m-merchant", has_text="星光影院").is_visible()

    page.screenshot(path=str(artifacts_dir / "member-merchants.png"), full_page=True)
    page.get_by_label("搜索商家").fill("hg")  # filtered as one types
    assert page.locator(".m-merchant", has_text=hot_pot["name"]).is_visible()
    assert not page.locator(".m-merchant", has_text="星光影院").is_visible()

    page.get_by_role("button", name="搜索").click()  # and as a plain form
    page.wait_for_url(re.compile(r"q=hg"))
    assert page.locator(".m-merchant", has_text=hot_pot["name"]).count() == 1
    assert page.locator(".m-merchant", has_text="星光影院").count() == 0
    assert fits_the_phone(page)


def test_consents_export_and_erasure_and_every_page_fits_a_phone(phone_page, live_server, artifacts_dir):
    page = phone_page
    base = live_server.base_url
    phone = join(page, base)
    for path in ("/m", "/m/history", "/m/merchants", "/m/settings", "/m/settings/erase"):
        page.goto(base + path)
        assert fits_the_phone(page), path

    page.goto(f"{base}/m/settings")
    marketing = page.get_by_role("switch", name="营销消息")
    assert marketing.get_attribute("aria-checked") == "false"
    marketing.click()
    page.wait_for_url(re.compile(r"saved=marketing"))
    assert page.get_by_role("switch", name="营销消息").get_attribute("aria-checked") == "true"
    assert (
        page.get_by_role("switch", name="允许收银台用手机号查找我").get_attribute("aria-checked") == "false"
    )
    page.screenshot(path=str(artifacts_dir / "member-settings.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="导出我的数据").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["member"]["phone"] == f"+86{phone}"
    assert {"kind": "marketing", "granted": True} in [
        {"kind": c["kind"], "granted": c["granted"]} for c in exported["consents"]
    ]

    page.get_by_role("link", name="申请注销").click()
    page.get_by_label("我已了解，注销我的会员身份").check()
    page.get_by_role("button", name="确认注销").click()
    assert "您的会员身份已注销" in page.locator(".notice.ok").inner_text()
    assert fits_the_phone(page)
    page.goto(f"{base}/m")
    assert "/login" in page.url


def test_a_new_member_is_asked_for_a_name_and_sets_the_birthday_once(phone_page, live_server, artifacts_dir):
    page = phone_page
    base = live_server.base_url
    join(page, base)
    assert page.locator("#holder-name").inner_text().startswith("尊敬的会员")
    page.locator("#ask-name").click()
    page.wait_for_url(re.compile(r"/m/settings"))
    assert "只能设置一次" in page.locator("#birthday-rule").inner_text()
    page.get_by_label("怎么称呼您？").fill("娜娜")
    page.get_by_label("生日").fill("1992-03-04")
    page.locator("#profile").get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"saved=profile"))
    assert page.locator("#holder-name").inner_text() == "娜娜"
    assert page.locator("#birthday").get_attribute("readonly") is not None
    assert fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / "member-profile.png"), full_page=True)
    page.goto(f"{base}/m")
    assert page.locator("#holder-name").inner_text().startswith("娜娜 ·")
    assert page.locator("#ask-name").count() == 0
    page.screenshot(path=str(artifacts_dir / "member-card-named.png"), full_page=True)


def test_message_preferences_are_reached_from_the_inbox_and_saved(phone_page, live_server, artifacts_dir):
    page = phone_page
    base = live_server.base_url
    join(page, base)
    page.goto(f"{base}/m/inbox")
    page.get_by_role("link", name="消息设置").click()
    page.wait_for_url(re.compile(r"/m/inbox/preferences$"))
    assert fits_the_phone(page)
    page.get_by_label("短信 · 优惠与活动").uncheck()
    page.get_by_role("button", name="保存设置").click()
    page.wait_for_url(re.compile(r"saved=1"))
    assert "消息设置已保存" in page.content()
    assert not page.get_by_label("短信 · 优惠与活动").is_checked()
    assert page.get_by_label("站内信 · 优惠与活动").is_checked()
    page.screenshot(path=str(artifacts_dir / "member-message-preferences.png"), full_page=True)
