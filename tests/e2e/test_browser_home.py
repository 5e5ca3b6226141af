"""The landing page in a real Chromium: the alliance and its merchants, a sign-in for each role,
Chinese first, English by a switch, fits a phone."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def test_home_speaks_chinese_switches_to_english_and_fits_375px(browser, live_server, artifacts_dir):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))

    page.goto(f"{live_server.base_url}/")
    assert page.locator("h1").inner_text() == "一张卡，逛遍整个商圈"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts_dir / "home-375.png"), full_page=True)

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "One card for the whole shopping district"
    page.goto(f"{live_server.base_url}/")  # the choice is remembered
    assert page.locator("h1").inner_text() == "One card for the whole shopping district"
    context.close()
    assert hosts == {urlparse(live_server.base_url).netloc}


def test_home_leads_each_role_to_its_sign_in(browser, live_server):
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server.base_url}/")
    for link, path in (
        ("#sign-in-member", "/m/"),
        ("#sign-in-staff", "/staff/login"),
        ("#sign-in-ops", "/ops/login"),
    ):
        page.goto(f"{live_server.base_url}/")
        page.locator(link).click()
        page.wait_for_load_state()
        assert urlparse(page.url).path.startswith(path), page.url
    page.close()
