"""A POS tops up a member's stored value and sells a paid card through the API (real contexts):
idempotent by the Idempotency-Key even once the member code is used; the card-sale receipt shows
the price paid; the merchant owes both amounts to the alliance; another store's id is not found."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.integration.alliance.world import Builder, auth, make_client
from tests.integration.test_coalition_story import sign_up

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.ledger.storage.tables import postings
from guildcard.ledger.verify import verify_alliance

PHONE = "13912340007"


def _member_code(client, member_token: str) -> str:
    return client.get("/api/v1/me/member-code", headers=auth(member_token)).json()["digits"]


def test_a_pos_tops_up_and_sells_a_card_and_a_resend_replays_the_receipt(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("desk")
        bakery = world.merchants[0]
        admin = Actor(ActorKind.OPERATOR, "opr_admin", world.id, role="admin")
        package = container.wallets.create_package(
            admin, name="充500送50", pay_fen=50_000, bonus_fen=5_000, idempotency_key="p1"
        ).value
        plan = container.cards.create_plan(
            admin, name="年卡", price_fen=19_900, period="year", idempotency_key="c1"
        ).value
        member = sign_up(client, world.id, PHONE)
        consent = {"granted": True, "version": "2026-11"}
        assert (
            client.put("/api/v1/me/consents/phone_lookup", json=consent, headers=auth(member)).status_code
            == 200
        )

        body = {
            "store_id": bakery.store_a,
            "member_code": _member_code(client, member),
            "package_id": package.package_id,
        }
        first = client.post(
            "/api/v1/counter/wallet-topups", json=body, headers=auth(bakery.pos) | {"Idempotency-Key": "t1"}
        )
        assert first.status_code == 201, first.text
        got = first.json()
        parts = ("paid_fen", "bonus_fen", "principal_balance_fen", "bonus_balance_fen")
        assert [got[k] for k in parts] == [50_000, 5_000, 50_000, 5_000]
        again = client.post(
            "/api/v1/counter/wallet-topups", json=body, headers=auth(bakery.pos) | {"Idempotency-Key": "t1"}
        )
        assert again.status_code == 200, again.text  # the code is used, yet the resend replays
        assert (again.json()["topup_id"], again.json()["replayed"]) == (got["topup_id"], True)
        both = {**body, "amount_fen": 100}
        refused = client.post(
            "/api/v1/counter/wallet-topups", json=both, headers=auth(bakery.pos) | {"Idempotency-Key": "t2"}
        )
        assert refused.status_code == 422
        elsewhere = {**body, "store_id": bakery.store_b}  # the key belongs to store A only
        other = client.post(
            "/api/v1/counter/wallet-topups",
            json=elsewhere,
            headers=auth(bakery.pos) | {"Idempotency-Key": "t3"},
        )
        assert (other.status_code, other.json()["code"]) == (404, "counter.store_not_found")

        sale = {"store_id": bakery.store_a, "phone": PHONE, "plan_id": plan.plan_id}
        sold = client.post(
            "/api/v1/counter/card-sales", json=sale, headers=auth(bakery.cashier) | {"Idempotency-Key": "s1"}
        )
        assert sold.status_code == 201, sold.text
        assert (sold.json()["plan_name"], sold.json()["price_fen"], sold.json()["replayed"]) == (
            "年卡",
            19_900,
            False,
        )
        resent = client.post(
            "/api/v1/counter/card-sales", json=sale, headers=auth(bakery.cashier) | {"Idempotency-Key": "s1"}
        )
        assert (resent.status_code, resent.json()["card_id"]) == (200, sold.json()["card_id"])
        member_id = got["member_id"]
        assert len(container.cards.cards_of(alliance_id=world.id, member_id=member_id)) == 1
        assert container.wallets.balance(alliance_id=world.id, member_id=member_id).total == 55_000

        with container.database.read() as conn:
            assert verify_alliance(conn, world.id) == []
            owes = conn.execute(
                select(func.sum(postings.c.amount)).where(
                    postings.c.alliance_id == world.id,
                    postings.c.unit == "FEN",
                    postings.c.account == f"merchant:{bakery.id}:settlement",
                )
            ).scalar_one()
        assert owes == 50_000 + 19_900  # the top-up collected and the card's price, owed to the alliance
        owed = container.wallets.liability(alliance_id=world.id)
        assert owed.principal == 50_000
