"""The counter page records what insights needs: an item count on a member's bill and non-member sales."""

from __future__ import annotations

import re

import pytest
from tests.integration.alliance.world import auth
from tests.integration.test_coalition_story import member_code
from tests.integration.web.test_counter_pages import csrf, staff_login, world  # noqa: F401 (fixture)

from guildcard.insights.domain.windows import Grain, window_of
from guildcard.kernel.actors import system_actor
from guildcard.kernel.clock import business_date

pytestmark = pytest.mark.slow


def test_items_and_a_non_member_sale_from_the_counter_page_reach_the_metrics(world) -> None:  # noqa: F811
    client, hot_pot = world.client, world.merchants[0]
    staff = client.get(f"/api/v1/merchants/{hot_pot.id}/staff", headers=auth(hot_pot.owner)).json()
    staff_login(client, next(s["login"] for s in staff if s["role"] == "cashier"))
    page = client.get("/counter")
    assert 'name="items"' in page.text
    assert "非会员消费" in page.text
    token = csrf(page.text)
    form = {"csrf_token": token, "store_id": hot_pot.store_a, "scan": member_code(client, world.member),
            "amount": "100", "points": "", "order_no": "HP-200", "kind": "code", "items": "3"}  # fmt: skip
    preview = client.post("/counter/preview", data=form)
    assert preview.status_code == 200, preview.text
    assert 'name="items" value="3"' in preview.text  # carried to the confirmation
    preview_token = re.search(r'name="preview_token" value="([^"]+)"', preview.text).group(1)
    done = client.post("/counter/purchases", data=form | {"points": "0", "preview_token": preview_token})
    assert done.status_code == 200, done.text  # followed to the receipt

    bad = client.post("/counter/walk-ins", data={"csrf_token": token, "store_id": hot_pot.store_a,
                      "walk_in_amount": "68", "walk_in_items": "two"})  # fmt: skip
    assert "件数须为 0 到 9999 的整数" in bad.text
    assert 'value="68"' in bad.text  # what the cashier typed stays
    walk_in = {"csrf_token": token, "store_id": hot_pot.store_a, "walk_in_amount": "68",
               "walk_in_items": "2", "walk_in_order_no": "W-9"}  # fmt: skip
    recorded = client.post("/counter/walk-ins", data=walk_in)
    assert "非会员消费已记录" in recorded.text, re.findall(r"notice[^<]*<", recorded.text)
    assert "W-9" in recorded.text
    assert "¥68.00" in recorded.text
    again = client.post("/counter/walk-ins", data=walk_in)  # a double submit: the same sale, once
    assert "非会员消费已记录" in again.text
    no_csrf = client.post("/counter/walk-ins", data=walk_in | {"csrf_token": "0" * 32})
    assert no_csrf.status_code == 403

    insights, ops = world.container.insights, system_actor(world.id, "test")
    insights.refresh(ops)
    month = window_of(business_date(world.container.clock.now()), Grain.MONTH)
    figures = insights.metrics(ops, month)
    assert figures.items_per_order == 2.5  # (3 + 2) items over two bills
    assert figures.conversion_rate == 0.5  # one member bill of two
    member_fen = figures.member_sales_fen
    assert figures.member_sales_share == pytest.approx(member_fen / (member_fen + 6_800))
