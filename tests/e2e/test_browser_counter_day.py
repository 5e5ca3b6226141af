"""Today's list and the shift summary at the counter, in a real Chromium (issue 12, item 9)."""

from __future__ import annotations

import pytest
from tests.e2e.counter_world import coalition
from tests.e2e.test_browser_counter import sign_in_with_keyboard

pytestmark = pytest.mark.browser


def test_a_cashier_sees_todays_transactions_and_prints_the_shift_summary(browser, live_server, artifacts_dir):
    world = coalition(live_server, "ctr-day")
    shop = world.shop("蜀香火锅")
    member = world.member("13912340077")
    cashier = world.auth(world.login(shop.cashier_login))
    for order_no, fen in (("DAY-1", 12800), ("DAY-2", 5000)):
        body = {"store_id": shop.store, "member_code": world.member_code(member), "order_no": order_no,
                "amount_fen": fen}  # fmt: skip
        r = world.api.post("/api/v1/counter/purchases", json=body, headers=cashier)
        assert r.status_code == 201, r.text
    refund = {"store_id": shop.store, "order_no": "DAY-2", "refund_no": "DAY-2-R", "amount_fen": 2000}
    assert world.api.post("/api/v1/counter/refunds", json=refund, headers=cashier).status_code == 201

    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in_with_keyboard(page, live_server.base_url, world.code, shop.cashier_login)
    page.get_by_role("link", name="今日流水与交班").click()
    page.wait_for_selector("#shift-summary")
    rows = page.locator("#day-lines tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("td").nth(2).inner_text() for i in range(3)] == ["DAY-1", "DAY-2", "DAY-2-R"]
    assert "退款" in rows.nth(2).inner_text()
    assert "13912340077" not in page.content()  # the member is masked
    assert rows.nth(0).locator("td").nth(3).inner_text().startswith("会员 ")  # pseudonymous to the shop
    assert page.locator("#sum-count").inner_text() == "2"
    sales = page.locator("#sum-sales").inner_text()
    net = page.locator("#sum-net").inner_text()
    assert sales.startswith("¥")
    assert net.startswith("¥")
    assert float(sales[1:].replace(",", "")) - float(net[1:].replace(",", "")) == pytest.approx(20.0)
    assert page.locator("#sum-refunds").inner_text() == "1 · ¥20.00"
    page.screenshot(path=str(artifacts_dir / "counter-today.png"), full_page=True)

    # The evening shift starts later than everything above: nothing yet, and the form keeps its values.
    page.fill("#since", "23:59")
    page.locator("#shift-form button[type=submit]").click()
    page.wait_for_selector("#day-empty")
    assert page.locator("#sum-count").inner_text() == "0"
    assert page.locator("#since").input_value() == "23:59"
    page.goto(f"{live_server.base_url}/counter/today?since=abc")
    assert "例如 14:00" in page.locator(".notice.error").inner_text()
    context.close()
