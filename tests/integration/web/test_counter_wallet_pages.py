"""Top-up and card sale at the counter as plain forms, on SQLite and PostgreSQL: a double submit
replays the first top-up, an edited member field is refused, the wallet pays part of a purchase."""

from __future__ import annotations

import re

import pytest
from tests.integration.alliance.world import auth
from tests.integration.test_coalition_story import member_code, sign_up
from tests.integration.web.test_counter_pages import csrf, staff_login, world  # noqa: F401 - fixture

from guildcard.kernel.actors import Actor, ActorKind

pytestmark = pytest.mark.slow


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _cashier(world) -> str:  # noqa: F811
    hot_pot = world.merchants[0]
    staff = world.client.get(f"/api/v1/merchants/{hot_pot.id}/staff", headers=auth(hot_pot.owner)).json()
    return next(s["login"] for s in staff if s["role"] == "cashier")


def test_a_top_up_twice_submitted_counts_once_and_an_edited_member_is_refused(world):  # noqa: F811
    client, container, hot_pot = world.client, world.container, world.merchants[0]
    admin = Actor(ActorKind.OPERATOR, "opr_t", world.id, role="admin")
    package = container.wallets.create_package(
        admin, name="充500送50", pay_fen=50_000, bonus_fen=5_000, idempotency_key="p1"
    ).value
    other = sign_up(client, world.id, "13912349999")
    staff_login(client, _cashier(world))
    token = csrf(client.get("/counter/topup").text)

    found = client.post(
        "/counter/topup",
        data={"csrf_token": token, "store_id": hot_pot.store_a, "scan": member_code(client, world.member)},
    )
    assert found.status_code == 200, found.text
    assert "储值余额" in found.text
    assert "充500送50" in found.text
    sealed = {
        "csrf_token": token, "store_id": hot_pot.store_a, "key": _hidden(found.text, "key"),
        "member_id": _hidden(found.text, "member_id"), "seal": _hidden(found.text, "seal"),
        "package_id": package.package_id,
    }  # fmt: skip
    done = client.post("/counter/topup", data=sealed)
    assert 'id="topup-balance">¥550.00<' in done.text
    again = client.post("/counter/topup", data=sealed)
    assert 'id="topup-balance">¥550.00<' in again.text
    assert "已记录" in again.text
    member_id = sealed["member_id"]
    assert container.wallets.balance(alliance_id=world.id, member_id=member_id).total == 55_000

    # The member field edited to someone else: the seal no longer matches, nothing is topped up.
    other_id = client.get("/api/v1/me", headers=auth(other)).json()["member_id"]
    edited = client.post("/counter/topup", data=sealed | {"member_id": other_id, "key": "k-edited"})
    assert edited.status_code == 422
    assert container.wallets.balance(alliance_id=world.id, member_id=other_id).total == 0
    assert not container.wallets.verify(alliance_id=world.id)

    # The wallet pays ¥100 of a ¥128 purchase; the receipt shows it.
    form = {"csrf_token": token, "store_id": hot_pot.store_a, "scan": member_code(client, world.member),
            "amount": "128", "points": "", "order_no": "W-1", "kind": "code", "wallet": "100"}  # fmt: skip
    preview = client.post("/counter/preview", data=form)
    assert 'id="wallet-pays">-¥100.00<' in preview.text
    assert 'id="cash-due">¥21.60<' in preview.text
    confirm_form = preview.text.split('class="confirm-form"')[1]
    confirm = form | {"points": "0", "wallet": _hidden(confirm_form, "wallet"),
                      "preview_token": _hidden(preview.text, "preview_token")}  # fmt: skip
    committed = client.post("/counter/purchases", data=confirm, follow_redirects=False)
    assert committed.status_code == 303, committed.text
    receipt = client.get(committed.headers["location"]).text
    assert 'id="receipt-wallet">¥100.00' in receipt
    assert container.wallets.balance(alliance_id=world.id, member_id=member_id).total == 45_000
    assert not container.wallets.verify(alliance_id=world.id)


def test_a_card_sold_at_the_counter(world):  # noqa: F811
    client, container, hot_pot = world.client, world.container, world.merchants[0]
    admin = Actor(ActorKind.OPERATOR, "opr_t", world.id, role="admin")
    plan = container.cards.create_plan(
        admin, name="金卡季卡", price_fen=6_800, period="quarter", idempotency_key="c1"
    ).value
    staff_login(client, _cashier(world))
    token = csrf(client.get("/counter/cards").text)
    found = client.post(
        "/counter/cards",
        data={"csrf_token": token, "store_id": hot_pot.store_a, "scan": member_code(client, world.member)},
    )
    assert "金卡季卡" in found.text
    assert "收款 ¥68.00" in found.text
    sold = client.post(
        "/counter/cards",
        data={"csrf_token": token, "store_id": hot_pot.store_a, "key": _hidden(found.text, "key"),
              "member_id": _hidden(found.text, "member_id"), "seal": _hidden(found.text, "seal"),
              "plan_id": plan.plan_id},
    )  # fmt: skip
    assert 'id="card-name">金卡季卡<' in sold.text
    cards = container.cards.cards_of(alliance_id=world.id, member_id=_hidden(found.text, "member_id"))
    assert len(cards) == 1
