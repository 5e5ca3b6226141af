"""会员分析 and 我的会员: who may open them, what they show, and every table's export."""

from __future__ import annotations

import re

import pytest
from tests.integration.alliance.world import PASSWORD, Builder, auth, make_client

pytestmark = pytest.mark.slow


def staff_logins(client, shop) -> dict[str, str]:
    staff = client.get(f"/api/v1/merchants/{shop.id}/staff", headers=auth(shop.owner)).json()
    return {s["role"]: s["login"] for s in staff}


def sign_in(client, path: str, alliance: str, login: str) -> None:
    r = client.post(
        path, data={"alliance": alliance, "login": login, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303, r.text


def test_the_insight_pages_open_to_their_readers_only_and_export_every_table(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("ins")
        shop = world.merchants[0]
        logins = staff_logins(client, shop)
        # nobody signed in: sent to sign in
        assert client.get("/ops/insights", follow_redirects=False).status_code in {302, 303}
        assert client.get("/merchant/insights", follow_redirects=False).status_code in {302, 303}

        sign_in(client, "/staff/login", "ins", logins["cashier"])
        assert client.get("/merchant/insights", follow_redirects=False).status_code in {302, 303, 403}
        sign_in(client, "/staff/login", "ins", logins["owner"])
        mine = client.get("/merchant/insights?period=2026-11")
        assert mine.status_code == 200, mine.text
        assert "我的会员" in mine.text
        assert "其他商家只以不少于 5 位会员的合计显示" in mine.text
        assert client.get("/ops/insights", follow_redirects=False).status_code in {302, 303, 403}
        csv = client.get("/merchant/insights/export.csv?period=2026-11&table=sources")
        assert csv.status_code == 200
        assert csv.text.lstrip("\ufeff").startswith("from,members,orders,sales_fen")

        client.cookies.clear()
        sign_in(client, "/ops/login", "ins", "admin-ins")
        page = client.get("/ops/insights?period=2026-11")
        assert page.status_code == 200, page.text
        for heading in (
            "会员分析",
            "激活会员率",
            "流失会员率",
            "会员交易额占有率",
            "会员价值九宫格",
            "会员引流",
            "RFM",
        ):
            assert heading in page.text, heading
        assert "<svg" in page.text
        # The trend charts have axes: round ticks from zero, what each axis measures, in which unit.
        charts = re.findall(r'<figure class="chart line">.*?</figure>', page.text, re.S)
        assert charts
        for chart in charts:
            ticks = re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', chart)
            assert len(ticks) >= 2, chart
            assert ticks[0] in {"0", "¥0.00", "0.0%"}, ticks
            assert ">期间</text>" in chart
        assert "激活会员率（%）" in page.text
        assert "本期注册的会员中" in page.text  # each metric's definition is on the page
        for table in ("metrics", "trend", "cohorts", "funnel", "rfm", "value_grid", "flows", "segments"):
            assert f'href="/ops/insights/export.csv?period=2026-11&amp;table={table}"' in page.text, table
        xlsx = client.get("/ops/insights/export.xlsx?period=2026-11&table=rfm")
        assert xlsx.status_code == 200
        assert xlsx.content[:2] == b"PK"  # a zip: the xlsx container
        metrics = client.get("/ops/insights/export.csv?period=2026-11&table=metrics").text
        assert "activation_rate,激活会员率" in metrics
        assert client.get("/ops/insights/export.csv?period=2026-11&table=nothing").status_code == 404
