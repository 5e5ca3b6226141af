"""Top-up codes (储值卡密) on the pages and the API, SQLite and PostgreSQL: an operator generates a
batch and downloads it once as CSV, voids the rest; a member tops up with a code on the H5 wallet
page and over ``POST /api/v1/me/wallet/redeem``."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from tests.integration.alliance.world import auth
from tests.integration.web.test_counter_pages import staff_login
from tests.integration.web.test_counter_pages import world as counter_world  # noqa: F401 - the fixture
from tests.integration.web.test_member_pages import csrf, join, site  # noqa: F401 - the fixture
from tests.integration.web.test_ops_pages import csrf as ops_csrf
from tests.integration.web.test_ops_pages import ops, sign_in  # noqa: F401 - the fixture

from guildcard.kernel.actors import Actor, ActorKind


def _batch(container, alliance_id: str, merchant_id: str, size: int = 2):
    operator = Actor(ActorKind.OPERATOR, "opr_admin", alliance_id, role="admin")
    return container.wallets.generate_codes(
        operator, merchant_id=merchant_id, face_fen=20_000, size=size,
        expires_at=container.clock.now() + timedelta(days=30), idempotency_key="b1",
    ).value  # fmt: skip


def test_a_member_tops_up_with_a_code_on_the_wallet_page_and_over_the_api(site):  # noqa: F811
    bakery = site.builder.merchant(site.alliance_id, site.admin)
    batch = _batch(site.container, site.alliance_id, bakery.id)
    join(site)
    page = site.get("/m/wallet?lang=zh-CN").text
    assert "充值卡密" in page
    form_key = page.split('name="form_key" value="')[1].split('"')[0]
    body = {"code": batch.codes[0].lower(), "form_key": form_key, "csrf_token": csrf(site)}
    done = site.post("/m/wallet/redeem", data=body, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/m/wallet?done=redeemed"
    shown = site.get(done.headers["location"]).text
    assert "卡密已充入您的储值余额" in shown
    assert "¥200.00" in shown.split('id="wallet-total"')[1][:20]
    again = site.post("/m/wallet/redeem", data=body, follow_redirects=False)  # a double submit
    assert again.headers["location"] == "/m/wallet?done=redeemed"
    wrong = site.post("/m/wallet/redeem", data={**body, "form_key": "k2", "code": batch.codes[0]})
    assert wrong.status_code == 422
    assert "此充值卡密无法使用" in wrong.text

    site.headers["X-CSRF-Token"] = csrf(site)  # the API by the session cookie, as the H5's scripts call it
    api = site.post(
        "/api/v1/me/wallet/redeem", json={"code": batch.codes[1]}, headers={"Idempotency-Key": "a1"}
    )
    assert api.status_code == 200, api.text
    assert (api.json()["principal_fen"], api.json()["balance_fen"], api.json()["merchant_id"]) == (
        20_000, 40_000, bakery.id,
    )  # fmt: skip
    used = site.post("/api/v1/me/wallet/redeem", json={"code": batch.codes[1]})
    assert used.status_code == 422
    assert used.json()["code"] == "loyalty.topup_code_not_usable"
    for i in range(6):  # ten tries an hour in all, right or wrong
        site.post("/api/v1/me/wallet/redeem", json={"code": f"GUESS{i}"})
    limited = site.post("/api/v1/me/wallet/redeem", json={"code": "GUESS9"})
    assert limited.status_code == 429
    assert limited.json()["code"] == "loyalty.too_many_code_attempts"
    assert site.get("/api/v1/me/wallet").json()["principal_fen"] == 40_000


def test_an_operator_downloads_a_batch_once_and_voids_the_rest(ops):  # noqa: F811
    bakery = ops.ops.merchants[0]
    sign_in(ops)
    page = ops.get("/ops/wallets").text
    assert "储值卡密" in page
    form = {
        "csrf_token": ops_csrf(ops, "/ops/wallets"), "idempotency_key": "g1", "merchant_id": bakery.id,
        "face_yuan": "100", "size": "3", "expires_on": "2099-12-31", "note": "春节礼品卡",
    }  # fmt: skip
    got = ops.post("/ops/wallets/codes", data=form, follow_redirects=False)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == 3
    assert {r["face_yuan"] for r in rows} == {"100.00"}
    again = ops.post("/ops/wallets/codes", data=form, follow_redirects=False)
    assert again.status_code == 303  # the same form twice: the codes are not shown again
    assert "卡密只显示一次" in ops.get(again.headers["location"]).text
    bad = ops.post("/ops/wallets/codes", data={**form, "idempotency_key": "g2", "size": "lots"})
    assert bad.status_code == 422
    assert "请输入整数" in bad.text

    listed = ops.get("/ops/wallets").text.split('id="code-batches"')[1].split("</table>")[0]
    assert "春节礼品卡" in listed
    assert "¥100.00" in listed
    batch_id = listed.split('data-batch="')[1].split('"')[0]
    voided = ops.post(
        f"/ops/wallets/codes/{batch_id}/void",
        data={"csrf_token": ops_csrf(ops, "/ops/wallets"), "idempotency_key": "v1"},
        follow_redirects=False,
    )
    assert voided.status_code == 303
    batches = ops.ops.container.wallets.code_batches(alliance_id=ops.ops.alliance_id)
    assert batches[0]["states"] == {"void": 3}


def test_the_growth_list_shows_each_purchase_and_refund_with_its_order(site):  # noqa: F811
    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    join(site)
    code = site.get("/api/v1/me/member-code").json()["digits"]
    bought = site.post(
        "/api/v1/counter/purchases",
        json={"store_id": hot_pot.store_a, "member_code": code, "order_no": "HP-7", "amount_fen": 18000},
        headers=auth(hot_pot.cashier),
    )
    assert bought.status_code == 201, bought.text
    growth = bought.json()["growth"]
    refunded = site.post(
        "/api/v1/counter/refunds",
        json={"store_id": hot_pot.store_a, "order_no": "HP-7", "refund_no": "RF-7", "amount_fen": 9000},
        headers=auth(hot_pot.cashier),
    )
    assert refunded.status_code == 201, refunded.text
    listed = site.get("/api/v1/me/growth").json()
    assert [(g["business"], g["number"]) for g in listed] == [("refund", "RF-7"), ("purchase", "HP-7")]
    assert listed[1]["amount"] == growth
    assert listed[0]["amount"] < 0
    page = site.get("/m/wallet?lang=zh-CN").text
    entries = page.split('id="growth-entries"')[1].split("</ol>")[0]
    assert "成长值明细" in page
    assert entries.index("退款") < entries.index("消费")
    assert "订单 HP-7" in entries
    assert f"+{growth}" in entries


def test_a_merchant_owner_prints_codes_its_stores_sell_and_only_its_own(counter_world):  # noqa: F811
    client, hot_pot = counter_world.client, counter_world.merchants[0]
    staff = client.get(f"/api/v1/merchants/{hot_pot.id}/staff", headers=auth(hot_pot.owner)).json()
    staff_login(client, next(s["login"] for s in staff if s["role"] == "owner"))
    page = client.get("/merchant/wallet-codes?lang=zh-CN")
    assert page.status_code == 200
    assert "储值卡密" in page.text
    options = re.findall(r'<option value="([^"]+)"', page.text.split('id="generate-codes"')[1])
    assert options == [hot_pot.id]  # the owner's own merchant pays, no other
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    form = {"csrf_token": token, "idempotency_key": "m1", "merchant_id": hot_pot.id, "face_yuan": "50",
            "size": "2", "expires_on": "2099-06-30"}  # fmt: skip
    got = client.post("/merchant/wallet-codes", data=form)
    assert got.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(got.text)))) == 2
    other = counter_world.merchants[1]
    refused = client.post(
        "/merchant/wallet-codes", data={**form, "idempotency_key": "m2", "merchant_id": other.id}
    )
    assert refused.headers["content-type"].startswith(
        "text/csv"
    )  # the field is ignored: its own merchant pays
    batches = counter_world.container.wallets.code_batches(alliance_id=counter_world.id)
    assert {b["merchant_id"] for b in batches} == {hot_pot.id}
    batch_id = batches[0]["batch_id"]
    voided = client.post(
        f"/merchant/wallet-codes/{batch_id}/void", data={"csrf_token": token, "idempotency_key": "v1"}
    )
    assert voided.status_code == 200
    assert "该批次未使用的卡密已作废" in voided.text
