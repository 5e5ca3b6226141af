"""The member's card shows the tier in its colour with the progress to the next one, the
stored value (principal and bonus), and activates a paid card by code (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.alliance.world import auth
from tests.integration.web.test_member_pages import csrf, join, site  # noqa: F401 - the fixture

from guildcard.kernel.actors import Actor, ActorKind

DESIGN = {
    "tiers": [
        {"code": "member", "name": "普通会员", "rank": 0, "threshold": 0},
        {"code": "silver", "name": "银卡", "rank": 1, "threshold": 100, "colour": "#9aa5b1",
         "benefits_text": "积分1.2倍", "points_multiplier": "1.2"},
        {"code": "gold", "name": "金卡", "rank": 2, "threshold": 500, "colour": "#c9a227"},
    ]
}  # fmt: skip


def test_the_card_shows_the_tier_progress_wallet_and_activates_a_code(site):  # noqa: F811
    container = site.container
    operator = Actor(ActorKind.OPERATOR, "opr_admin", site.alliance_id)
    container.tiers.design(
        alliance_id=site.alliance_id, scheme=DESIGN, actor_id=operator.id, idempotency_key="d1"
    )
    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    join(site)
    code = site.get("/api/v1/me/member-code").json()["digits"]
    bought = site.post(
        "/api/v1/counter/purchases",
        json={"store_id": hot_pot.store_a, "member_code": code, "order_no": "HP-1", "amount_fen": 18000},
        headers=auth(hot_pot.cashier),
    )
    assert bought.status_code == 201, bought.text
    assert bought.json()["tier_change"]["to_name"] == "银卡"
    card = site.get("/m?lang=zh-CN").text
    assert re.search(r'class="m-tier">银卡<', card)
    assert "#9aa5b1" in card
    growth = bought.json()["growth"]
    assert f"再获得 {500 - growth} 成长值升级为金卡" in card
    assert "积分1.2倍" in card
    assert re.search(r"data-wallet>¥0\.00<", card)

    plan = container.cards.create_plan(
        operator, name="金卡季卡", price_fen=0, period="quarter", tier_code="gold", idempotency_key="p1"
    ).value
    batch = container.cards.generate_codes(
        operator, plan_id=plan.plan_id, size=1, expires_at=container.clock.now() + timedelta(days=30),
        idempotency_key="b1",
    ).value  # fmt: skip
    done = site.post(
        "/m/card/activate", data={"code": batch.codes[0], "csrf_token": csrf(site)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/m?card=activated"
    card = site.get("/m").text
    assert re.search(r'class="m-tier">金卡<', card)
    assert "金卡季卡 · 有效期至" in card
    # A double submit replays the activation; a wrong code is explained.
    again = site.post(
        "/m/card/activate", data={"code": batch.codes[0], "csrf_token": csrf(site)}, follow_redirects=False
    )
    assert again.headers["location"] == "/m?card=activated"
    wrong = site.post(
        "/m/card/activate", data={"code": "NOSUCHCODE", "csrf_token": csrf(site)}, follow_redirects=False
    )
    assert wrong.headers["location"] == "/m?card_error=loyalty.card_code_not_usable"
    assert "该激活码不可用" in site.get(wrong.headers["location"]).text
