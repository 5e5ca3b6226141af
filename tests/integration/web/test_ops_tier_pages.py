"""Operator pages for tiers (preview of members per tier, then save) and stored value
(liability by collecting merchant, packages, unused-principal refunds), SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.integration.web.test_ops_pages import csrf, ops, sign_in  # noqa: F401 - the fixture

from guildcard.kernel.actors import Actor, ActorKind

DESIGN = {
    "tiers": [
        {"code": "member", "name": "普通会员", "rank": 0, "threshold": 0},
        {"code": "silver", "name": "银卡", "rank": 1, "threshold": 1000, "colour": "#9aa5b1"},
    ],
    "rules": {"downgrade": "evaluation"},
}


def test_an_operator_previews_a_design_then_saves_it(ops):  # noqa: F811
    sign_in(ops)
    token = csrf(ops, "/ops/tiers")
    body = {"csrf_token": token, "idempotency_key": "t1", "design": json.dumps(DESIGN, ensure_ascii=False)}
    preview = ops.post("/ops/tiers", data={**body, "action": "preview"})
    assert preview.status_code == 200
    assert "按此方案，今天各等级的会员人数" in preview.text
    assert (
        ops.ops.container.tiers.scheme(alliance_id=ops.ops.alliance_id).tiers[-1].code == "member"
    )  # not saved
    saved = ops.post("/ops/tiers", data={**body, "action": "save"}, follow_redirects=False)
    assert saved.status_code == 303
    page = ops.get("/ops/tiers").text
    assert "等级方案已保存" in ops.get(saved.headers["location"]).text
    assert "银卡" in page
    bad = ops.post("/ops/tiers", data={**body, "idempotency_key": "t2", "design": "{", "action": "save"})
    assert bad.status_code == 422
    assert "等级方案不是有效的 JSON" in bad.text


def test_the_liability_shows_each_collecting_merchant_and_the_total(ops):  # noqa: F811
    hot_pot = ops.ops.merchants[0]
    container = ops.ops.container
    cashier = Actor(ActorKind.STAFF, "stf_x", ops.ops.alliance_id, role="cashier", merchant_id=hot_pot.id)
    container.wallets.top_up(
        cashier, member_id="mem_a", merchant_id=hot_pot.id, pay_fen=50_000, idempotency_key="t1"
    )
    sign_in(ops)
    page = ops.get("/ops/wallets").text
    assert "储值负债（按收款商家）" in page
    assert "¥500.00" in page
    one = ops.get("/ops/wallets", params={"member": "mem_a"}).text
    assert "¥500.00" in one.split('id="member-wallet-total"')[1][:20]
    rows = one.split('id="member-wallet-history"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 2  # the header and the one top-up
    assert "充值" in rows
    nobody = ops.get("/ops/wallets", params={"member": "mem_nobody"}).text
    assert "还没有充值或储值支付记录" in nobody
    token = csrf(ops, "/ops/wallets")
    added = ops.post(
        "/ops/wallets/packages",
        data={
            "csrf_token": token,
            "idempotency_key": "p1",
            "name": "充500送50",
            "pay_yuan": "500",
            "bonus_yuan": "50",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "充500送50: ¥500.00 + ¥50.00" in ops.get("/ops/wallets").text
