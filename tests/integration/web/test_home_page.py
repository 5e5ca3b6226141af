"""The landing page shows each alliance with its merchants by trade and a sign-in for each role."""

from __future__ import annotations

import re

from tests.integration.alliance.world import Builder, make_client

from guildcard.alliance.queries import list_merchants


def test_the_home_page_lists_the_alliance_its_merchants_and_every_roles_sign_in(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("home")
        page = client.get("/", headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 200
        html = page.text
        for href in ('href="/m/login"', 'href="/staff/login"', 'href="/ops/login"', 'href="/m/home/login"'):
            assert href in html
        section = html[html.index('id="alliance-home"') :]
        with container.database.read() as conn:
            names = [m.name for m in list_merchants(conn, world.id)]
        assert names
        assert all(name in section for name in names)
        assert re.search(r"个业态的 \d+ 家商家通用此卡", section)
        assert "接口文档" in html  # the developer links moved to the footer, still there
