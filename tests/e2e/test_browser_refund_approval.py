"""A refund of points the member already spent, in a real Chromium (issue 12 item 6): the cashier's
refund waits with the exact shortfall; the owner approves it on the merchant pages."""

from __future__ import annotations

import pytest
from tests.e2e.counter_world import PASSWORD, coalition
from tests.e2e.test_browser_counter import sign_in_with_keyboard

pytestmark = pytest.mark.browser


def _buy(world, shop, member, order_no: str, amount_fen: int, *, points: int = 0) -> dict:
    body = {"store_id": shop.store, "order_no": order_no, "amount_fen": amount_fen,
            "member_code": world.member_code(member), "points_to_use": points}  # fmt: skip
    r = world.api.post(
        "/api/v1/counter/purchases", json=body, headers=world.auth(world.login(shop.cashier_login))
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_a_cashier_s_refund_of_spent_points_waits_for_the_owner_who_approves_it(
    browser, live_server, artifacts_dir
):
    world = coalition(live_server, "rfd-queue")
    hot_pot, cinema = world.shop("蜀香火锅"), world.shop("星光影城", category="cinema")
    member = world.member("13912340077")
    dinner = _buy(world, hot_pot, member, "HPQ-1", 20000)
    movie = _buy(world, cinema, member, "CNQ-1", 10000, points=dinner["points_earned"])
    balance = dinner["points_earned"] - movie["points_used"] + movie["points_earned"]
    shortfall = dinner["points_earned"] - balance
    assert shortfall > 0

    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    page = context.new_page()
    # The operator lets balances go below zero (within 1,000 points) and allows cash minus points.
    page.goto(f"{live_server.base_url}/ops/login")
    page.fill("#alliance", world.code)
    page.fill("#login", "admin")
    page.fill("#password", world.admin_password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.base_url}/ops")
    page.goto(f"{live_server.base_url}/ops/settings")
    page.select_option("#negative_mode", "allow_negative")
    page.fill("#negative_limit", "1000")
    page.get_by_role("button", name="保存账本规则").click()
    page.check("#refund_cash_for_spent_points")
    page.get_by_role("button", name="保存积分设置").click()
    assert page.is_checked("#refund_cash_for_spent_points")
    page.context.clear_cookies()

    # The hot-pot cashier refunds the dinner: it cannot go through, it waits, with the shortfall.
    sign_in_with_keyboard(page, live_server.base_url, world.code, hot_pot.cashier_login)
    page.goto(f"{live_server.base_url}/counter/refunds")
    page.keyboard.type("HPQ-1")
    page.keyboard.press("Enter")
    page.wait_for_selector("#refund-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#refund-confirm")
    assert "店主或店长审批" in page.locator("#needs-manager").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#refund-requested")
    assert f"积分不足 {shortfall} 分" in page.locator("#shortfall").inner_text()
    page.screenshot(path=str(artifacts_dir / "counter-refund-waiting.png"), full_page=True)
    page.context.clear_cookies()

    # The owner sees it among the refund approvals and approves it as a negative balance.
    page.goto(f"{live_server.base_url}/staff/login")
    page.fill("#alliance", world.code)
    page.fill("#login", hot_pot.owner_login)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/merchant")
    page.locator("#refunds-waiting a").click()  # the dashboard says a refund waits
    page.wait_for_url("**/merchant/refunds")
    row = page.locator("#pending-refunds tbody").first
    assert "HPQ-1" in row.inner_text()
    assert f"积分不足 {shortfall} 分" in row.locator(".shortfall").inner_text()
    assert "退款扣减已用积分的现金等值" in row.locator(".approve-cash").inner_text()
    page.screenshot(path=str(artifacts_dir / "merchant-refund-approvals.png"), full_page=True)
    row.locator(".approve-below-zero").click()
    assert page.locator("#notice").inner_text() == "已批准：退款已入账。"
    assert "没有待审批的退款" in page.locator("#pending-refunds").inner_text()
    context.close()

    owner = world.auth(world.login(hot_pot.owner_login))
    found = world.api.get(
        "/api/v1/counter/purchases/HPQ-1", params={"store_id": hot_pot.store}, headers=owner
    )
    assert found.json()["status"] == "refunded"
