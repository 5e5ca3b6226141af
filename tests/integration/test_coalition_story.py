"""The whole coalition story through the real contexts and the API, on SQLite and PostgreSQL.

A member registers, earns at the hot-pot restaurant, spends those points at the second
merchant, the first merchant refunds after the points were spent, and the operator settles
the day: every context is the real one, wired as in production (no fakes).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.alliance.world import Builder, auth, make_client

from guildcard.ledger.verify import verify_alliance

pytestmark = pytest.mark.slow


def sign_up(client, alliance_id: str, phone: str) -> str:
    base = f"/api/v1/alliances/{alliance_id}"
    assert client.post(f"{base}/otp", json={"phone": phone, "purpose": "register"}).status_code == 202
    code = client.get("/api/v1/dev/outbox", params={"phone": phone}).json()[0]["code"]
    signed = client.post(
        f"{base}/members/session", json={"phone": phone, "code": code, "accept_terms_version": "2026-11"}
    )
    assert signed.status_code == 201, signed.text
    return signed.json()["token"]


def member_code(client, member: str) -> str:
    return client.get("/api/v1/me/member-code", headers=auth(member)).json()["digits"]


def test_earn_at_the_hot_pot_spend_at_the_cinema_refund_and_settle(database):
    client, container = make_client(database)
    with client:
        builder = Builder(client, container)
        world = builder.world("story")
        hot_pot, cinema = world.merchants
        admin = world.operators["admin"]
        member = sign_up(client, world.id, "13912345678")

        # ¥128 at the hot-pot: 5 % member discount -> ¥121.60 payable, 1 pt per yuan -> 121 points.
        receipt = client.post(
            "/api/v1/counter/purchases",
            json={"store_id": hot_pot.store_a, "member_code": member_code(client, member),
                  "order_no": "HP-1", "amount_fen": 12800},
            headers=auth(hot_pot.cashier),
        )  # fmt: skip
        assert receipt.status_code == 201, receipt.text
        assert receipt.json()["payable_fen"] == 12160
        assert receipt.json()["points_earned"] == 121
        assert "13912345678" not in receipt.text

        # The same scan again is useless: the code was used once.
        container.clock.advance(timedelta(seconds=31))
        code = member_code(client, member)

        # At the cinema the member pays 100 points (= ¥1) of a ¥50 ticket.
        ticket = client.post(
            "/api/v1/counter/purchases",
            json={"store_id": cinema.store_a, "member_code": code, "order_no": "CI-1",
                  "amount_fen": 5000, "points_to_use": 100},
            headers=auth(cinema.cashier),
        )  # fmt: skip
        assert ticket.status_code == 201, ticket.text
        assert ticket.json()["points_used"] == 100
        replay = client.post(
            "/api/v1/counter/purchases",
            json={"store_id": cinema.store_a, "member_code": code, "order_no": "CI-1",
                  "amount_fen": 5000, "points_to_use": 100},
            headers=auth(cinema.cashier),
        )  # fmt: skip
        assert replay.status_code == 200
        assert replay.json()["replayed"] is True

        # The hot-pot refunds after the points were spent at the cinema. The member has 67 points
        # (121 - 100 + 46 earned at the cinema); taking back all 121 would go negative, which this
        # alliance's policy ("block", the default) refuses, changing nothing.
        def refund(refund_no: str, amount_fen: int):
            return client.post(
                "/api/v1/counter/refunds",
                json={"store_id": hot_pot.store_a, "order_no": "HP-1", "refund_no": refund_no,
                      "amount_fen": amount_fen},
                headers=auth(hot_pot.cashier),
            )  # fmt: skip

        refused = refund("HP-1-R1", 12160)
        assert refused.status_code == 422
        assert refused.json()["code"] == "ledger.negative_limit_exceeded"
        half = refund("HP-1-R2", 6080)  # half the bill takes back 60 points
        assert half.status_code in (200, 201), half.text
        assert half.json()["points_clawed_back"] == 60

        # The day is over (midnight in Shanghai is 16:00 UTC): the operator settles it.
        container.clock.advance(timedelta(hours=14, minutes=30))
        admin = builder.login("story", "admin-story")  # a new day, a new sign-in
        staff = client.get(f"/api/v1/merchants/{cinema.id}/staff", headers=auth(admin)).json()
        owner_login = next(s["login"] for s in staff if s["role"] == "owner")
        cinema_owner = builder.login("story", owner_login)
        closed = client.post("/api/v1/settlement/periods/2026-11-23/close", headers=auth(admin))
        assert closed.status_code in (200, 201), closed.text
        statements = client.get(
            "/api/v1/settlement/statements", params={"period": "2026-11-23"}, headers=auth(admin)
        ).json()
        by_merchant = {s["merchant_id"]: s for s in statements}
        assert by_merchant[hot_pot.id]["checkpoint_root"]
        assert by_merchant[cinema.id]["figures"]["points_redeemed"] == 100

        flows = client.get("/api/v1/settlement/flows", params={"period": "2026-11-23"}, headers=auth(admin))
        assert {"issuer": hot_pot.id, "spent_at": cinema.id, "points": 100} in flows.json()

        # The cinema's owner sees its own statement and not the hot-pot's.
        own = client.get(f"/api/v1/settlement/statements/2026-11-23/{cinema.id}", headers=auth(cinema_owner))
        assert own.status_code == 200
        other = client.get(
            f"/api/v1/settlement/statements/2026-11-23/{hot_pot.id}", headers=auth(cinema_owner)
        )
        assert other.status_code == 404

        with database.read() as conn:
            assert verify_alliance(conn, world.id) == []
