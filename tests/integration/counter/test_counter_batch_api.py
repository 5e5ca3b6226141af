"""A POS uploads its queued sales through the API, on the real contexts (no fakes)."""

from __future__ import annotations

from tests.integration.alliance.world import Builder, auth, make_client
from tests.integration.test_coalition_story import sign_up

from guildcard.ledger.verify import verify_alliance

UPLOAD = "/api/v1/counter/purchases:batch"
PHONES = ["13912340001", "13912340002"]


def test_a_pos_uploads_queued_sales_and_uploads_them_again(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("batch")
        hot_pot = world.merchants[0]
        for phone in PHONES:
            member = sign_up(client, world.id, phone)
            consent = {"granted": True, "version": "2026-11"}
            agreed = client.put("/api/v1/me/consents/phone_lookup", json=consent, headers=auth(member))
            assert agreed.status_code == 200, agreed.text
        sales = [
            {"store_id": hot_pot.store_a, "phone": PHONES[0], "order_no": "Q-1", "amount_fen": 12800},
            {"store_id": hot_pot.store_a, "phone": PHONES[1], "order_no": "Q-2", "amount_fen": 5000},
            {"store_id": hot_pot.store_a, "phone": "13900000000", "order_no": "Q-3", "amount_fen": 5000},
            {"store_id": hot_pot.store_b, "phone": PHONES[0], "order_no": "Q-4", "amount_fen": 5000},
        ]
        first = client.post(UPLOAD, json={"purchases": sales}, headers=auth(hot_pot.pos))
        assert first.status_code == 200, first.text
        body = first.json()
        assert (body["created"], body["replayed"], body["failed"]) == (2, 0, 2)
        outcomes = [(r["order_no"], r["outcome"], (r["error"] or {}).get("code")) for r in body["results"]]
        assert outcomes == [
            ("Q-1", "created", None),
            ("Q-2", "created", None),
            ("Q-3", "failed", "members.not_found"),
            ("Q-4", "failed", "counter.store_not_found"),  # the key belongs to store A only
        ]
        assert body["results"][0]["receipt"]["points_earned"] == 121
        assert PHONES[0] not in first.text

        again = client.post(UPLOAD, json={"purchases": sales[:2]}, headers=auth(hot_pot.pos))
        assert [r["outcome"] for r in again.json()["results"]] == ["replayed", "replayed"]
        first_ids = [r["receipt"]["purchase_id"] for r in body["results"][:2]]
        assert [r["receipt"]["purchase_id"] for r in again.json()["results"]] == first_ids

        too_many = client.post(UPLOAD, json={"purchases": sales * 126}, headers=auth(hot_pot.pos))
        assert (too_many.status_code, too_many.json()["code"]) == (422, "invalid_input")
        with container.database.read() as conn:
            assert verify_alliance(conn, world.id) == []
