"""The merchant owner's settings pages as plain forms: staff, POS keys, earn rules; managers only read."""

from __future__ import annotations

import re
from datetime import timedelta

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

        # issue 12 items 18 and 19: a table of category × multiplier rows, kept as typed on an error
        form = client.get("/merchant/rules").text
        assert 'placeholder="例如 酒水"' in form
        assert form.count('name="category"') == 2  # two empty rows to start with
        typed = {"csrf_token": token, "category": ["酒水", ""], "multiplier": ["2", ""], "daily_cap": "7"}
        more = client.post("/merchant/rules", data={**typed, "add_row": "1"})
        assert more.text.count('name="category"') == 4  # the typed row, one added, two empty
        assert re.search(r'id="category-0"[^>]*value="酒水"', more.text)
        assert re.search(r'id="daily_cap"[^>]*value="7"', more.text)
        too_much = client.post(
            "/merchant/rules",
            data={"csrf_token": token, "category": ["drinks", "food"], "multiplier": ["9", "1.5"],
                  "transaction_cap": "300"},
        )  # fmt: skip
        assert too_much.status_code == 422
        assert "超出了联盟限额" in too_much.text
        assert re.search(r'id="multiplier-0"[^>]*value="9"', too_much.text)
        assert re.search(r'id="category-1"[^>]*value="food"', too_much.text)
        assert re.search(r'id="transaction_cap"[^>]*value="300"', too_much.text)
        bad = client.post(
            "/merchant/rules", data={"csrf_token": token, "category": ["drinks"], "multiplier": ["two"]}
        )
        assert bad.status_code == 422
        assert re.search(r'role="alert">倍数 1：倍数须为数字', bad.text)
        assert re.search(r'id="multiplier-0"[^>]*aria-invalid="true"', bad.text)
        ok = client.post(
            "/merchant/rules",
            data={"csrf_token": token, "category": ["drinks", "food"], "multiplier": ["2", "0.5"],
                  "daily_cap": "500"},
        )  # fmt: skip
        assert "新规则即刻生效" in ok.text
        assert "drinks ×2" in ok.text
        assert re.search(r'id="category-1"[^>]*value="food"', ok.text)
        container.clock.advance(timedelta(minutes=1))  # rules take effect at a new moment
        removed = client.post(
            "/merchant/rules",
            data={
                "csrf_token": token,
                "category": ["drinks", "food"],
                "multiplier": ["2", "0.5"],
                "remove": "1",
            },
        )
        assert removed.status_code == 200, re.search(r'role="alert">([^<]*)', removed.text)
        assert "food" not in re.search(r"<dd>([^<]*)</dd>", removed.text).group(1)

        token = sign_in(client, manager)
        refused = client.post("/merchant/rules", data={"csrf_token": token, "multipliers": "drinks=1"})
        assert refused.status_code == 422
        assert "只有店主" in refused.text
        assert client.get("/counter", follow_redirects=False).status_code == 200
