"""The counter keeps the alliance's configuration in per-process caches; every change reaches the
next purchase at once: an issuance limit set by the operator, a campaign started, the settings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.integration.alliance.world import Builder, auth, make_client
from tests.integration.test_coalition_story import member_code, sign_up


def test_a_limit_and_a_campaign_set_between_two_purchases_apply_to_the_second(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("cfg")
        hot_pot = world.merchants[0]
        member = sign_up(client, world.id, "13912340009")

        def buy(order_no: str, amount_fen: int):
            container.clock.advance(timedelta(seconds=31))  # a fresh member code
            body = {
                "store_id": hot_pot.store_a, "member_code": member_code(client, member),
                "order_no": order_no, "amount_fen": amount_fen,
            }  # fmt: skip
            return client.post("/api/v1/counter/purchases", json=body, headers=auth(hot_pot.cashier))

        first = buy("C-1", 10000)  # warms the caches: no limit, no campaign
        assert first.json()["points_earned"] == 95

        admin = world.operators["admin"]
        limited = client.put(
            f"/api/v1/settlement/limits/{hot_pot.id}", json={"limit_points": 150, "mode": "prepaid"},
            headers=auth(admin) | {"Idempotency-Key": "lim-1"},
        )  # fmt: skip
        assert limited.status_code == 200, limited.text
        refused = buy("C-2", 10000)  # 95 more would make 190 > 150
        assert (refused.status_code, refused.json()["code"]) == (422, "settlement.issuance_limit_exceeded")

        client.put(
            f"/api/v1/settlement/limits/{hot_pot.id}", json={"limit_points": 100_000, "mode": "prepaid"},
            headers=auth(admin) | {"Idempotency-Key": "lim-2"},
        )  # fmt: skip
        container.loyalty.create_campaign(
            alliance_id=world.id, name="双倍积分", multiplier=Decimal(2), starts_at=container.clock.now(),
            actor_id="opr", idempotency_key="camp-1",
        )  # fmt: skip
        doubled = buy("C-3", 10000)
        assert doubled.status_code == 201, doubled.text
        assert doubled.json()["points_earned"] == 190
        assert "campaign" in [line["code"] for line in doubled.json()["earn_lines"]]
