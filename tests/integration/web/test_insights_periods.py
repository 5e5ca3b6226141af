"""The insight pages show a week, a quarter or a custom range as well as a month."""

from __future__ import annotations

import pytest
from tests.integration.alliance.world import Builder, make_client
from tests.integration.web.test_insights_pages import sign_in, staff_logins

pytestmark = pytest.mark.slow


def test_the_pages_show_weeks_quarters_and_custom_ranges(database) -> None:
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("per")
        owner = staff_logins(client, world.merchants[0])["owner"]
        sign_in(client, "/ops/login", "per", "admin-per")
        for period, title in (
            ("2026-Q4", "2026-Q4"),
            ("2026-W48", "2026-W48"),
            ("2026-10-01..2026-11-15", "2026-10-01..2026-11-15"),
        ):
            page = client.get("/ops/insights", params={"period": period})
            assert page.status_code == 200, page.text
            assert f"会员分析 · {title}" in page.text
            assert f'name="period" value="{title}"' in page.text
        assert "上季度" in page.text  # the quick links
        assert "近 30 天" in page.text
        csv = client.get("/ops/insights/export.csv", params={"period": "2026-Q4", "table": "trend"})
        assert csv.status_code == 200
        assert "2026-Q3" in csv.text  # the trend runs by quarters
        assert "2026-Q4" in csv.text
        too_long = client.get("/ops/insights", params={"period": "2025-01-01..2026-06-30"})
        assert too_long.status_code == 200
        assert "2025-01-01..2026-06-30" not in too_long.text.split("<h1>")[1].split("</h1>")[0]

        client.cookies.clear()
        sign_in(client, "/staff/login", "per", owner)
        mine = client.get("/merchant/insights", params={"period": "2026-Q4"})
        assert mine.status_code == 200, mine.text
        assert "2026-Q4" in mine.text
