"""A POS reports all its sales: item counts on member purchases and walk-ins; the metrics follow."""

from __future__ import annotations

import pytest
from tests.support.seeded_counter import auth, seeded_counter


@pytest.fixture
def counter(tmp_path, _sqlite_template):
    seeded = seeded_counter(_sqlite_template, tmp_path / "insights.db")
    yield seeded
    seeded.close()


def test_a_pos_sends_item_counts_and_walk_ins_and_the_operator_reads_the_metrics(counter):
    client, hotpot = counter.client, counter.alliance.hotpot
    pos, store = auth(hotpot.pos_key), hotpot.store_ids[0]
    body = {
        "store_id": store,
        "member_code": counter.code(),
        "order_no": "HP-1",
        "amount_fen": 20000,
        "items": 3,
    }
    bought = client.post("/api/v1/counter/purchases", json=body, headers=pos)
    assert bought.status_code == 201, bought.text
    bad = client.post("/api/v1/counter/purchases", json=body | {"order_no": "HP-2", "items": -1}, headers=pos)
    assert bad.status_code == 422
    walk_in = {"store_id": store, "order_no": "W-1", "amount_fen": 10000, "items": 1}
    first = client.post("/api/v1/insights/walk-in-sales", json=walk_in, headers=pos)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/insights/walk-in-sales", json=walk_in, headers=pos)
    assert again.json()["sale_id"] == first.json()["sale_id"]
    other = client.post("/api/v1/insights/walk-in-sales", json=walk_in | {"amount_fen": 1}, headers=pos)
    assert other.status_code == 422
    assert other.json()["code"] == "insights.walk_in_conflict"
    cinema_pos = auth(counter.alliance.cinema.pos_key)
    assert client.post("/api/v1/insights/walk-in-sales", json=walk_in, headers=cinema_pos).status_code == 403
    period = counter.clock.now().strftime("%Y-%m")
    found = client.get(f"/api/v1/insights/metrics?period={period}", headers=auth(counter.alliance.admin))
    assert found.status_code == 200, found.text
    metrics = found.json()
    paid = bought.json()["payable_fen"]
    assert metrics["items_per_order"] == 2.0  # (3 + 1) items over 2 orders
    assert metrics["member_sales_share"] == pytest.approx(paid / (paid + 10000), abs=1e-4)
    assert metrics["conversion_rate"] == 0.5
    assert "activation_rate" in metrics["definitions"]
    assert client.get("/api/v1/insights/metrics", headers=pos).status_code == 403
