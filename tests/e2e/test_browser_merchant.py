"""The merchant owner in a real Chromium: the dashboard, and a statement whose downloaded CSV and Excel
files carry the same figures as the page.

The live server runs on the real clock and a contract only starts today, so no period that has ended
can hold purchases: the test checks the current month's open statement (a preview computed by the
same code that closes it), which is what an owner downloads mid-month.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from urllib.parse import urlparse

import pytest
from openpyxl import load_workbook
from tests.e2e.counter_world import PASSWORD, coalition

from guildcard.kernel.clock import BUSINESS_TZ

pytestmark = pytest.mark.browser


def test_an_owner_sees_the_sales_and_downloads_the_statement_with_the_page_figures(
    browser, live_server, artifacts_dir
):
    world = coalition(live_server, "mer-stmt")
    hot_pot, cinema = world.shop("蜀香火锅"), world.shop("星光影城", category="cinema")
    member = world.member("13912340002")
    cashier = world.login(hot_pot.cashier_login)
    r = world.api.post(
        "/api/v1/counter/purchases",
        json={"store_id": hot_pot.store, "member_code": world.member_code(member), "order_no": "HP-1",
              "amount_fen": 12800},
        headers=world.auth(cashier),
    )  # fmt: skip
    assert r.status_code == 201, r.text

    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{live_server.base_url}/staff/login")
    page.fill("#alliance", world.code)
    page.fill("#login", hot_pot.owner_login)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/merchant")
    assert page.locator("#sales-today").inner_text() == "¥121.60"
    assert page.locator("#points-issued").inner_text() == "121"
    assert page.locator(".chart svg rect").count() == 30
    page.screenshot(path=str(artifacts_dir / "merchant-dashboard.png"), full_page=True)

    page.click("text=本月结算单")
    page.wait_for_selector("#figures")
    period = datetime.now(BUSINESS_TZ).strftime("%Y-%m")
    shown = {
        row.get_attribute("data-figure"): int(row.locator("td").get_attribute("data-value"))
        for row in page.locator("#figures tr").all()
    }
    assert shown["points_issued"] == 121
    assert shown["member_sales"] == 12160
    page.screenshot(path=str(artifacts_dir / "merchant-statement.png"), full_page=True)

    lines = {row.locator("td").first.inner_text(): row.locator("td").all_inner_texts()
             for row in page.locator("#lines tbody tr").all()}  # fmt: skip
    assert lines["佣金"][1:3] == ["¥121.60", "3.00%"]  # member sales in yuan, the rate as a percentage
    page.click("#lines tr[data-component=commission] a")
    page.wait_for_selector("#drill")
    assert page.locator("#drill tbody td.voucher").all_inner_texts() == ["订单 HP-1"]
    page.screenshot(path=str(artifacts_dir / "merchant-drill-down.png"), full_page=True)
    page.go_back()
    page.wait_for_selector("#figures")

    # The downloads open in Chinese Excel: a UTF-8 BOM, Chinese headers, money in yuan.
    money = {"member_sales": "会员消费额（元）", "net": "净额（元）"}
    counts = {"points_issued": "发放积分"}
    with page.expect_download() as got:
        page.click("#export-csv")
    raw = got.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    header, rows = table[0], [row for row in table[1:] if row and row[0] == period]
    assert [row[1] for row in rows] == [hot_pot.id]  # the owner's own statement only
    got_csv = dict(zip(header, rows[0], strict=True))
    for name, title in money.items():
        assert got_csv[title] == f"{shown[name] / 100:.2f}"
    for name, title in counts.items():
        assert int(got_csv[title]) == shown[name]

    with page.expect_download() as got:
        page.click("#export-xlsx")
    sheet = load_workbook(io.BytesIO(got.value.path().read_bytes()))["statements"]
    values = list(sheet.iter_rows(values_only=True))
    xlsx = dict(zip(values[0], values[1], strict=True))
    for name, title in money.items():
        assert round(xlsx[title] * 100) == shown[name]
    assert "¥" in sheet.cell(row=2, column=values[0].index("净额（元）") + 1).number_format
    for name, title in counts.items():
        assert xlsx[title] == shown[name]
    context.close()
    assert hosts == {urlparse(live_server.base_url).netloc}
    assert cinema.id not in text
