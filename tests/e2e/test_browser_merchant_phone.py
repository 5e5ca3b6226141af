"""Issue 12 item 21: the owner's pages on a 375 px phone: the menu folds behind a button, and no page
scrolls sideways (wide tables scroll inside their own frame)."""

from __future__ import annotations

import pytest
from tests.e2e.counter_world import PASSWORD, coalition

pytestmark = pytest.mark.browser

MERCHANT_PAGES = (
    "/merchant",
    "/merchant/stores",
    "/merchant/pos-keys",
    "/merchant/rules",
    "/merchant/statements",
    "/merchant/insights",
    "/merchant/backfills",
    "/merchant/refunds",
    "/merchant/coupons",
    "/merchant/mall",
)


def test_every_merchant_page_fits_a_phone_and_the_menu_folds(browser, live_server, artifacts_dir):
    world = coalition(live_server, "mer-phone")
    hot_pot = world.shop("蜀香火锅")
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.base_url}/staff/login")
    page.fill("#alliance", world.code)
    page.fill("#login", hot_pot.owner_login)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/merchant")

    menu = page.locator(".staff-menu-button")
    assert menu.is_visible()
    assert not page.locator(".topnav a[href='/merchant/rules']").is_visible()  # folded
    menu.click()
    assert page.locator(".topnav a[href='/merchant/rules']").is_visible()
    page.screenshot(path=str(artifacts_dir / "merchant-phone-menu.png"), full_page=True)

    for path in MERCHANT_PAGES:
        response = page.goto(f"{live_server.base_url}{path}")
        assert response is not None
        assert response.status == 200, path
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths}"
        shot = artifacts_dir / f"merchant-phone{path.replace('/', '-')}.png"
        page.screenshot(path=str(shot), full_page=True)
    context.close()

    desktop = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN").new_page()
    desktop.goto(f"{live_server.base_url}/staff/login")
    desktop.fill("#alliance", world.code)
    desktop.fill("#login", hot_pot.owner_login)
    desktop.fill("#password", PASSWORD)
    desktop.keyboard.press("Enter")
    desktop.wait_for_url("**/merchant")
    assert not desktop.locator(".staff-menu-button").is_visible()  # the links show as before
    assert desktop.locator(".topnav a[href='/merchant/rules']").is_visible()
    desktop.goto(f"{live_server.base_url}/merchant/rules")
    desktop.screenshot(path=str(artifacts_dir / "merchant-rules-desktop.png"), full_page=True)
