"""The value grid's "target this cell": a saved segment of the cell's members that others can target."""

from __future__ import annotations

import re

import pytest
from tests.integration.alliance.world import Builder, auth, make_client
from tests.integration.test_coalition_story import member_code, sign_up
from tests.integration.web.test_insights_pages import sign_in

from guildcard.insights.domain.windows import Grain, window_of
from guildcard.kernel.actors import system_actor
from guildcard.kernel.clock import business_date

pytestmark = pytest.mark.slow


def test_an_operator_targets_a_value_grid_cell_and_gets_a_live_segment(database) -> None:
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("tgt")
        hot_pot = world.merchants[0]
        for n, phone in enumerate(("13900000001", "13900000002", "13900000003")):
            member = sign_up(client, world.id, phone)
            bought = client.post(
                "/api/v1/counter/purchases",
                json={"store_id": hot_pot.store_a, "member_code": member_code(client, member),
                      "order_no": f"T-{n}", "amount_fen": 10_000 * (n + 1)},
                headers=auth(hot_pot.cashier),
            )  # fmt: skip
            assert bought.status_code in {200, 201}, bought.text
        sign_in(client, "/ops/login", "tgt", "admin-tgt")
        period = window_of(business_date(container.clock.now()), Grain.MONTH).key
        page = client.get("/ops/insights", params={"period": period})
        buttons = re.findall(r'id="target-(\d-\d)"', page.text)
        assert buttons, "no cell with members offers the button"
        assert "圈选此格" in page.text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
        cell = buttons[0]
        done = client.post(
            "/ops/insights/target-cell", data={"csrf_token": token, "cell": cell, "period": period},
            follow_redirects=False,
        )  # fmt: skip
        assert done.status_code == 303
        assert done.headers["location"].startswith(f"/ops/insights?period={period}&targeted=")
        shown = client.get(done.headers["location"])
        assert "已保存人群" in shown.text
        value, activity = cell.split("-")
        assert f"九宫格 价值{value}·活跃{activity}" in shown.text

        actor = system_actor(world.id, "test")
        counts = container.insights.segments(actor)
        saved = [c for c in counts if c.segment.definition.get("value_cells") == [cell]]
        assert len(saved) == 1
        pop = container.insights.population(actor)
        in_cell = sorted(m for m, c in pop.cells.items() if c.key == cell)
        assert saved[0].members == len(in_cell) > 0
        assert sorted(container.insights.members_in_segment(actor, saved[0].segment.segment_id)) == in_cell

        assert (
            client.post("/ops/insights/target-cell", data={"csrf_token": token, "cell": "4-1"}).status_code
            == 404
        )
        no_csrf = client.post("/ops/insights/target-cell", data={"csrf_token": "0" * 32, "cell": cell})
        assert no_csrf.status_code == 403
