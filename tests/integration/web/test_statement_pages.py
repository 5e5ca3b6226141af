"""Issue 12 item 3: a merchant's statement and its drill-down speak yuan, points, order numbers,
Shanghai times and Chinese, in time order."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from tests.integration.alliance.world import Builder, auth, make_client
from tests.integration.test_coalition_story import member_code, sign_up
from tests.integration.web.test_counter_pages import staff_login

pytestmark = pytest.mark.slow


@pytest.fixture
def shop(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("shop")
        hot_pot = world.merchants[0]
        member = sign_up(client, world.id, "13912345678")
        for order_no, fen in (("HP-1", 12800), ("HP-2", 5000)):
            r = client.post(
                "/api/v1/counter/purchases",
                json={"store_id": hot_pot.store_a, "member_code": member_code(client, member),
                      "order_no": order_no, "amount_fen": fen},
                headers=auth(hot_pot.cashier),
            )  # fmt: skip
            assert r.status_code == 201, r.text
            container.clock.advance(timedelta(minutes=5))
        staff = client.get(f"/api/v1/merchants/{hot_pot.id}/staff", headers=auth(hot_pot.owner)).json()
        staff_login(client, next(s["login"] for s in staff if s["role"] == "owner"))
        yield client


def _cells(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    body = table.split("<tbody>")[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_statement_lines_read_in_yuan_points_and_rates(shop):
    page = shop.get("/merchant/statements")
    assert page.status_code == 200
    lines = {row[0]: row[1:3] for row in _cells(page.text, "lines")}
    # 121.60 + 47.50 of member sales at 3 %, 121 + 47 points at ¥0.008, one contract's entry fee.
    assert lines["佣金"] == ["¥169.10", "3.00%"]
    assert lines["积分发放"] == ["168 积分", "¥0.008/积分"]
    assert lines["入驻费"] == ["1 项", "¥1,000.00"]


def test_the_drill_down_names_orders_in_time_order_with_shanghai_times(shop):
    period = re.search(r'name="period" value="([^"]+)"', shop.get("/merchant/statements").text).group(1)
    sales = shop.get(f"/merchant/statements/{period}/commission")
    assert "pur_" not in sales.text
    assert '<th class="num">金额</th>' in sales.text
    rows = _cells(sales.text, "drill")
    assert [r[1] for r in rows] == ["订单 HP-1", "订单 HP-2"]
    assert [r[2] for r in rows] == ["¥121.60", "¥47.50"]
    assert rows[0][0] < rows[1][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0][0])

    issued = _cells(shop.get(f"/merchant/statements/{period}/issue").text, "drill")
    assert [(r[1], r[2]) for r in issued] == [("订单 HP-1", "121 积分"), ("订单 HP-2", "47 积分")]
    assert not any("ent_" in c or "late" in c for r in issued for c in r)
