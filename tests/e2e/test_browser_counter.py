"""The counter in a real Chromium, with the keyboard alone: sign in, scan, preview, confirm, receipt,
spend at a second merchant by phone number, refund by order number. Only the app's host is contacted."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from tests.e2e.counter_world import PASSWORD, coalition

pytestmark = pytest.mark.browser


def sign_in_with_keyboard(page, base_url: str, alliance: str, login: str) -> None:
    page.goto(f"{base_url}/staff/login")
    page.keyboard.type(alliance)  # the alliance field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter")


def test_a_cashier_records_a_purchase_the_member_spends_at_a_second_merchant_and_a_refund(
    browser, live_server, artifacts_dir
):
    world = coalition(live_server, "ctr-story")
    hot_pot, cinema = world.shop("蜀香火锅"), world.shop("星光影城", category="cinema")
    member = world.member("13912340001", phone_lookup=True)

    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))

    # The hot-pot cashier scans the member's code: digits then Enter, like a wedge scanner.
    sign_in_with_keyboard(page, live_server.base_url, world.code, hot_pot.cashier_login)
    assert page.evaluate("document.activeElement.id") == "scan"
    page.keyboard.type(world.member_code(member))
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "amount"  # Enter moved on to the amount
    page.keyboard.type("128")
    page.keyboard.press("Enter")
    page.wait_for_selector("#preview")
    preview = page.locator("#preview")
    assert "会员折扣" in preview.inner_text()
    assert page.locator("#cash-due").inner_text() == "¥121.60"
    assert page.locator("#points-earned").inner_text() == "121"
    assert "基础积分" in page.locator(".explain").inner_text()  # the explanation, in Chinese
    assert "13912340001" not in page.content()
    page.screenshot(path=str(artifacts_dir / "counter-preview.png"), full_page=True)

    page.keyboard.press("Enter")  # the confirm button has the focus
    page.wait_for_selector("#receipt")
    assert page.locator("#receipt-points-earned").inner_text().startswith("121")
    assert "蜀香火锅" in page.locator("#receipt h1").inner_text()
    page.screenshot(path=str(artifacts_dir / "counter-receipt.png"), full_page=True)

    # At the cinema the member is found by phone number (consented) and pays with points.
    page.context.clear_cookies()
    sign_in_with_keyboard(page, live_server.base_url, world.code, cinema.cashier_login)
    page.keyboard.type("13912340001")
    page.keyboard.press("Enter")
    page.keyboard.type("50")
    page.keyboard.press("Enter")
    page.wait_for_selector("#preview")
    # No points are spent unless the cashier uses them; the preview says how many could be.
    assert page.locator("#points-used").inner_text().startswith("0 积分")
    could = int(page.locator("#points-max").inner_text().replace(",", ""))
    assert 0 < could <= 121
    page.keyboard.press("F2")  # one key uses them: a new preview
    page.wait_for_function("document.querySelector('#preview').dataset.pointsUsed !== '0'")
    used = int(page.locator("#points-used").inner_text().split()[0].replace(",", ""))
    assert used == could
    assert " 积分 抵 ¥" in page.locator("#points-used").inner_text()
    page.screenshot(path=str(artifacts_dir / "counter-preview-points.png"), full_page=True)
    assert page.evaluate("document.activeElement.id") == "confirm"
    page.keyboard.press("Enter")
    page.wait_for_selector("#receipt")
    assert page.locator("#receipt-points-used").inner_text().startswith(f"{used:,}")
    order_no = page.locator("#receipt-order").inner_text()

    # The cinema refunds the ticket by its order number: the points used come back.
    page.goto(f"{live_server.base_url}/counter/refunds")
    page.keyboard.type(order_no)
    page.keyboard.press("Enter")
    page.wait_for_selector("#refund-button")
    page.keyboard.press("Enter")  # the refund amount (the whole refundable) has the focus
    page.wait_for_selector("#refund-confirm")  # first: what will happen to money and points
    assert page.locator("#confirm-restored").inner_text() == f"{used:,} 积分"
    page.screenshot(path=str(artifacts_dir / "counter-refund-confirm.png"), full_page=True)
    assert page.evaluate("document.activeElement.id") == "confirm-refund"
    page.keyboard.press("Enter")
    page.wait_for_selector("#points-restored")
    assert page.locator("#points-restored").inner_text() == f"{used:,}"
    context.close()
    assert hosts == {urlparse(live_server.base_url).netloc}


def test_a_repeated_scan_within_two_seconds_is_ignored(browser, live_server):
    world = coalition(live_server, "ctr-twice")
    shop = world.shop("茶语奶茶", category="tea")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in_with_keyboard(page, live_server.base_url, world.code, shop.cashier_login)
    page.keyboard.type("1234567")
    page.keyboard.press("Enter")  # first scan: on to the amount
    page.locator("#scan").focus()
    page.locator("#scan").fill("1234567")
    page.keyboard.press("Enter")  # the scanner fired again at once: ignored, the field is cleared
    assert page.locator("#scan").input_value() == ""
    assert page.url.endswith("/counter")
    # After 2 s the same digits are a new scan: this code belongs to nobody, so a notice says so.
    page.wait_for_timeout(2100)
    page.keyboard.type("1234567")
    page.keyboard.press("Enter")
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "会员码" in page.locator(".notice.error").inner_text()  # no such member code: a notice
    context.close()
