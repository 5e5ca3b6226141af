"""The merchant owner's settings pages as plain forms: staff, POS keys, earn rules; managers only read."""

from __future__ import annotations

import re

import pytest
from tests.integration.alliance.world import PASSWORD, Builder, auth, make_client

pytestmark = pytest.mark.slow


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def sign_in(client, login: str) -> str:
    r = client.post(
        "/staff/login", data={"alliance": "own", "login": login, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return csrf(client.get("/merchant/stores").text)


def test_an_owner_adds_a_cashier_creates_a_pos_key_and_sets_rules_within_the_limits(database):
    client, container = make_client(database)
    with client:
        world = Builder(client, container).world("own")
        shop = world.merchants[0]
        staff = client.get(f"/api/v1/merchants/{shop.id}/staff", headers=auth(shop.owner)).json()
        owner = next(s["login"] for s in staff if s["role"] == "owner")
        manager = next(s["login"] for s in staff if s["role"] == "manager")
        token = sign_in(client, owner)

        added = client.post(
            "/merchant/staff",
            data={
                "csrf_token": token,
                "login": "cashier-new",
                "display_name": "小王",
                "store_ids": [shop.store_a],
            },
        )
        assert added.status_code == 200, added.text
        link = re.search(r'id="activation-link">([^<]+)<', added.text).group(1)
        assert "/staff/activate?token=" in link
        activate = client.post(
            "/staff/activate",
            data={"token": link.split("token=")[1], "password": PASSWORD, "repeat": PASSWORD},
        )
        assert "密码已设置" in activate.text

        key = client.post(
            "/merchant/pos-keys", data={"csrf_token": token, "store_id": shop.store_a, "name": "1号机"}
        )
        assert re.search(r'id="pos-secret">gck_', key.text)

        too_much = client.post(
            "/merchant/rules", data={"csrf_token": token, "multipliers": "drinks=9", "transaction_cap": ""}
        )
        assert too_much.status_code == 422
        assert "超出了联盟限额" in too_much.text
        ok = client.post(
            "/merchant/rules", data={"csrf_token": token, "multipliers": "drinks=2", "daily_cap": "500"}
        )
        assert "新规则即刻生效" in ok.text
        assert "drinks=2" in ok.text

        token = sign_in(client, manager)
        refused = client.post("/merchant/rules", data={"csrf_token": token, "multipliers": "drinks=1"})
        assert refused.status_code == 422
        assert "只有店主" in refused.text
        assert client.get("/counter", follow_redirects=False).status_code == 200
