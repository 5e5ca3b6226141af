"""The member's card shows the tier in its colour with the progress to the next one, the
stored value (principal and bonus), and activates a paid card by code (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.alliance.world import auth
from tests.integration.web.test_member_pages import buy_with_member_code, csrf, join, site  # noqa: F401 - the fixture

from guildcard.kernel.actors import Actor, ActorKind

DESIGN = {
    "tiers": [
        {"code": "member", "name": "普通会员", "rank": 0, "threshold": 0},
        {"code": "silver", "name": "银卡", "rank": 1, "threshold": 100, "colour": "#9aa5b1",
         "benefits_text": "积分1.2倍", "points_multiplier": "1.2"},
        {"code": "gold", "name": "金卡", "rank": 2, "threshold": 500, "colour": "#c9a227"},
    ]
}  # fmt: skip


def top_up_and_sell_a_gold_card(container, operator: Actor, cashier: Actor, member_id: str) -> None:
    """¥200 of stored value and a 金卡季卡 (a paid card granting 金卡), both at the cashier's merchant."""
    merchant_id = cashier.merchant_id
    container.wallets.top_up(
        cashier, member_id=member_id, merchant_id=merchant_id, pay_fen=20_000, idempotency_key="t1"
    )
    plan = container.cards.create_plan(
        operator, name="金卡季卡", price_fen=6_800, period="quarter", tier_code="gold", idempotency_key="p1"
    ).value
    container.cards.sell(
        cashier, member_id=member_id, merchant_id=merchant_id, plan_id=plan.plan_id, idempotency_key="s1"
    )


def test_the_card_shows_the_tier_progress_wallet_and_activates_a_code(site):  # noqa: F811
    container = site.container
    operator = Actor(ActorKind.OPERATOR, "opr_admin", site.alliance_id)
    container.tiers.design(
        alliance_id=site.alliance_id, scheme=DESIGN, actor_id=operator.id, idempotency_key="d1"
    )
    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    join(site)
    bought = buy_with_member_code(site, hot_pot, "HP-1", 18000)
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


def test_the_wallet_page_lists_top_ups_payments_and_tier_changes(site):  # noqa: F811
    container = site.container
    operator = Actor(ActorKind.OPERATOR, "opr_admin", site.alliance_id)
    container.tiers.design(
        alliance_id=site.alliance_id, scheme=DESIGN, actor_id=operator.id, idempotency_key="d1"
    )
    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    join(site)
    empty = site.get("/m/wallet?lang=zh-CN").text
    assert "还没有充值或储值支付记录" in empty
    assert "还没有等级变动" in empty
    member_id = site.get("/api/v1/me").json()["member_id"]
    cashier = Actor(ActorKind.STAFF, "stf_x", site.alliance_id, role="cashier", merchant_id=hot_pot.id)
    container.wallets.top_up(
        cashier, member_id=member_id, merchant_id=hot_pot.id, pay_fen=20_000, idempotency_key="t1"
    )
    code = site.get("/api/v1/me/member-code").json()["digits"]
    bought = site.post(
        "/api/v1/counter/purchases",
        json={"store_id": hot_pot.store_a, "member_code": code, "order_no": "HP-W", "amount_fen": 18000,
              "wallet_fen": 5000},
        headers=auth(hot_pot.cashier),
    )  # fmt: skip
    assert bought.status_code == 201, bought.text
    page = site.get("/m/wallet").text
    assert re.search(r'id="wallet-total">¥150\.00<', page)
    history = page.split('id="wallet-history"')[1].split("</ol>")[0]
    assert history.count("<li>") == 2
    assert history.index("-¥50.00") < history.index("+¥200.00")  # newest first
    assert 'class="m-where"></span>' not in history  # each line names its merchant
    tiers = page.split('id="tier-history"')[1].split("</ol>")[0]
    assert "普通会员 → 银卡" in tiers
    assert 'href="/m/wallet"' in site.get("/m").text


def test_the_member_api_reads_wallet_tier_and_cards(site):  # noqa: F811
    container = site.container
    operator = Actor(ActorKind.OPERATOR, "opr_admin", site.alliance_id)
    container.tiers.design(
        alliance_id=site.alliance_id, scheme=DESIGN, actor_id=operator.id, idempotency_key="d1"
    )
    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    assert site.get("/api/v1/me/wallet").status_code == 401
    join(site)
    member_id = site.get("/api/v1/me").json()["member_id"]
    cashier = Actor(ActorKind.STAFF, "stf_x", site.alliance_id, role="cashier", merchant_id=hot_pot.id)
    top_up_and_sell_a_gold_card(container, operator, cashier, member_id)
    wallet = site.get("/api/v1/me/wallet").json()
    assert (wallet["total_fen"], wallet["principal_fen"], wallet["bonus_fen"]) == (20_000, 20_000, 0)
    assert [(w["kind"], w["principal_fen"]) for w in wallet["history"]] == [("topup", 20_000)]
    tier = site.get("/api/v1/me/tier").json()
    assert (tier["code"], tier["name"]) == ("gold", "金卡")  # the paid card's tier
    assert tier["history"][0]["to_tier"] == "gold"
    cards = site.get("/api/v1/me/cards").json()
    assert [(c["plan_name"], c["source"], c["valid"]) for c in cards] == [("金卡季卡", "sale", True)]
    staff = site.get("/api/v1/me/wallet", headers=auth(hot_pot.cashier))
    assert staff.status_code == 403
    assert staff.headers["content-type"].startswith("application/problem+json")
