"""The member H5 as plain HTML forms (no JavaScript), on SQLite and PostgreSQL.

A newcomer joins with phone and code, sees the card, the points earned at the hot-pot with
the merchant's name, the merchant directory, and changes consents, exports and erases.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from tests.integration.alliance.world import Builder, application_body, auth, make_client

from guildcard.ledger import ExpiryPolicy

PHONE = "13912345678"


@pytest.fixture
def site(database):
    client, container = make_client(database)
    with client:
        builder = Builder(client, container)
        alliance_id, admin = builder.alliance("mall")
        client.builder, client.container = builder, container  # type: ignore[attr-defined]
        client.alliance_id, client.admin = alliance_id, admin  # type: ignore[attr-defined]
        yield client


def login_token(client) -> str:
    client.get("/m/mall/login")
    return client.cookies["gc_login_csrf"]


def outbox_code(client, phone: str = PHONE) -> str:
    return client.get("/api/v1/dev/outbox", params={"phone": phone}).json()[0]["code"]


def join(client, phone: str = PHONE) -> None:
    token = login_token(client)
    sent = client.post("/m/mall/login/code", data={"phone": phone, "login_csrf": token})
    assert sent.status_code == 200
    signed = client.post(
        "/m/mall/login",
        data={"phone": phone, "code": outbox_code(client, phone), "accept_terms": "1", "login_csrf": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == "/m"


def buy_with_member_code(client, merchant, order_no: str, amount_fen: int):
    """The signed-in member shows its code at ``merchant``'s first store and pays ``amount_fen``."""
    code = client.get("/api/v1/me/member-code").json()["digits"]
    bought = client.post(
        "/api/v1/counter/purchases",
        json={
            "store_id": merchant.store_a,
            "member_code": code,
            "order_no": order_no,
            "amount_fen": amount_fen,
        },
        headers=auth(merchant.cashier),
    )
    assert bought.status_code == 201, bought.text
    return bought


def csrf(client) -> str:
    return client.cookies["gc_csrf"]


def digits_on(page: str) -> str:
    return re.search(r"data-digits[^>]*>(\d+)<", page).group(1)


def test_a_newcomer_joins_with_phone_and_code_and_sees_the_card(site):
    assert site.get("/m", follow_redirects=False).headers["location"] == "/m/login?next=/m"
    assert (
        site.get("/m/login?next=/m", follow_redirects=False).headers["location"] == "/m/mall/login?next=%2Fm"
    )

    page = site.get("/m/mall/login").text
    assert "会员登录" in page
    assert "mall联盟" in page
    token = site.cookies["gc_login_csrf"]
    step2 = site.post("/m/mall/login/code", data={"phone": PHONE, "login_csrf": token})
    assert "验证码已发送至 139****5678" in step2.text
    assert "/api/v1/dev/outbox?phone=%2B8613912345678" in step2.text  # the development hint
    signed = site.post(
        "/m/mall/login",
        data={"phone": PHONE, "code": outbox_code(site), "accept_terms": "1", "login_csrf": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303

    card = site.get("/m")
    assert card.status_code == 200
    assert "mall联盟" in card.text
    assert "普通会员" in card.text
    assert "<svg" in card.text
    assert digits_on(card.text) == site.get("/api/v1/me/member-code").json()["digits"]
    assert "30天内到期" in card.text
    assert '<meta http-equiv="refresh"' in card.text  # without JavaScript the page reloads itself


def test_the_code_on_the_card_changes_every_30_seconds(site):
    join(site)
    before = digits_on(site.get("/m").text)
    site.container.clock.advance(timedelta(seconds=30))
    after = digits_on(site.get("/m").text)
    assert before != after
    assert after == site.get("/api/v1/me/member-code").json()["digits"]


def test_sign_in_mistakes_are_explained_in_chinese(site):
    token = login_token(site)
    bad_phone = site.post("/m/mall/login/code", data={"phone": "12345", "login_csrf": token})
    assert bad_phone.status_code == 422
    assert "请输入有效的手机号" in bad_phone.text

    site.post("/m/mall/login/code", data={"phone": PHONE, "login_csrf": token})
    again = site.post("/m/mall/login/code", data={"phone": PHONE, "login_csrf": token})
    assert again.status_code == 429
    assert "验证码刚刚已发送" in again.text
    assert "请1分钟后再试" in again.text

    form = {"phone": PHONE, "login_csrf": token, "accept_terms": "1"}
    wrong = site.post(
        "/m/mall/login", data={**form, "code": "000000" if outbox_code(site) != "000000" else "1"}
    )
    assert wrong.status_code == 422
    assert "验证码错误" in wrong.text
    assert "还可尝试 4 次" in wrong.text

    no_terms = site.post(
        "/m/mall/login", data={"phone": PHONE, "login_csrf": token, "code": outbox_code(site)}
    )
    assert "注册会员需先同意会员条款" in no_terms.text

    site.container.clock.advance(timedelta(minutes=11))
    expired = site.post("/m/mall/login", data={**form, "code": outbox_code(site)})
    assert "验证码已过期，请重新获取" in expired.text

    forged = site.post("/m/mall/login/code", data={"phone": PHONE, "login_csrf": "forged"})
    assert forged.status_code == 400
    assert "页面已过期" in forged.text
    assert site.get("/m/nowhere/login").status_code == 404
    switched = site.get("/m/mall/login/code?lang=en", follow_redirects=False)  # the language switch on step 2
    assert switched.headers["location"] == "/m/mall/login?lang=en"


def test_the_history_names_the_merchant_and_the_card_counts_the_points(site):
    site.container.ledger().update_policies(site.alliance_id, expiry=ExpiryPolicy.rolling(20))
    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    join(site)
    code = site.get("/api/v1/me/member-code").json()["digits"]
    receipt = site.post(
        "/api/v1/counter/purchases",
        json={"store_id": hot_pot.store_a, "member_code": code, "order_no": "HP-1", "amount_fen": 12800},
        headers=auth(hot_pot.cashier),
    )
    assert receipt.status_code == 201, receipt.text
    name = receipt.json()["merchant_name"]

    history = site.get("/m/history").text
    item = re.search(r"<li>(.*?)</li>", history, re.S).group(1)
    assert "获得" in item
    assert name in item
    assert "+121" in item

    assert "Earned" in site.get("/m/history?lang=en").text  # English by the switch
    card = site.get("/m").text
    assert "可用积分" not in card  # the choice is remembered
    site.get("/m?lang=zh-CN")
    card = site.get("/m").text
    assert re.search(r"data-balance>121<", card)
    expiring = re.search(r"30天内到期</span>\s*<span class=\"m-stat-value\">(\d+)<", card).group(1)
    assert expiring == "121"


def test_the_directory_lists_active_merchants_by_trade_and_finds_hot_pot_by_initials(site):
    site.builder.merchant(site.alliance_id, site.admin)  # 蜀香火锅N号, dining
    cinema = site.post(
        f"/api/v1/alliances/{site.alliance_id}/merchant-applications",
        json=application_body(
            9001, business_name="星光影院", category="cinema", store_name="星光影院 南京路店"
        ),
    ).json()["application"]["id"]
    approved = site.post(
        f"/api/v1/merchant-applications/{cinema}/reviews",
        json={"decision": "approve", "owner_login": "cinema-owner"},
        headers=auth(site.admin),
    )
    assert approved.status_code == 200, approved.text
    join(site)

    everything = site.get("/m/merchants").text
    assert "火锅/餐饮" in everything
    assert "影院" in everything
    assert "星光影院 南京路店 · 上海市黄浦区南京东路100号" in everything

    found = site.get("/m/merchants", params={"q": "hg"}).text
    assert "蜀香火锅" in found
    assert "星光影院" not in found
    assert "星光影院" in site.get("/m/merchants", params={"q": "xgyy"}).text
    assert "没有符合条件的商家" in site.get("/m/merchants", params={"q": "zzz"}).text


def test_consents_switch_one_by_one_and_need_the_session_token(site):
    join(site)
    page = site.get("/m/settings").text
    assert "已同意（2026-11 版" in page
    switched = site.post(
        "/m/settings/consents", data={"kind": "marketing", "granted": "1", "csrf_token": csrf(site)}
    )
    assert switched.status_code == 200
    assert "已保存" in switched.text
    marketing = re.search(r'data-consent="marketing".*?</form>', switched.text, re.S).group(0)
    sharing = re.search(r'data-consent="sharing".*?</form>', switched.text, re.S).group(0)
    assert 'aria-checked="true"' in marketing
    assert 'aria-checked="false"' in sharing
    consents = site.get("/api/v1/me/consents").json()["current"]
    assert consents["marketing"]["granted"] is True
    assert consents["marketing"]["version"] == "2026-11"

    forged = site.post(
        "/m/settings/consents", data={"kind": "sharing", "granted": "1", "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    assert "sharing" not in site.get("/api/v1/me/consents").json()["current"]


def test_export_downloads_json_and_erasure_needs_confirming_then_signs_out(site):
    join(site)
    export = site.get("/m/settings/export")
    assert export.headers["content-type"].startswith("application/json")
    assert "attachment" in export.headers["content-disposition"]
    assert json.loads(export.text)["member"]["phone"] == "+8613912345678"

    assert "确认注销" in site.get("/m/settings/erase").text
    unconfirmed = site.post("/m/settings/erase", data={"csrf_token": csrf(site)})
    assert "请勾选确认框" in unconfirmed.text
    assert site.get("/m").status_code == 200  # still a member

    erased = site.post("/m/settings/erase", data={"confirm": "yes", "csrf_token": csrf(site)})
    assert "您的会员身份已注销" in erased.text
    assert site.get("/m", follow_redirects=False).status_code == 303


def test_signing_out_revokes_the_session(site):
    join(site)
    token = site.cookies["gc_session"]
    out = site.post("/m/logout", data={"csrf_token": csrf(site)})
    assert "您已退出登录" in out.text
    site.cookies.set("gc_session", token)
    assert site.get("/m", follow_redirects=False).status_code == 303


def test_the_history_is_in_the_order_things_happened_and_shows_when_points_expire(site):
    """Issue 12 item 12: a purchase recorded late sits where it happened; each lot's expiry shows."""
    site.container.ledger().update_policies(site.alliance_id, expiry=ExpiryPolicy.calendar(1))
    hot_pot = site.builder.merchant(site.alliance_id, site.admin)
    join(site)
    code = site.get("/api/v1/me/member-code").json()["digits"]
    receipt = site.post(
        "/api/v1/counter/purchases",
        json={"store_id": hot_pot.store_a, "member_code": code, "order_no": "HP-1", "amount_fen": 12800},
        headers=auth(hot_pot.cashier),
    )
    assert receipt.status_code == 201, receipt.text
    member_id = site.get("/api/v1/me").json()["member_id"]
    clock = site.container.clock
    clock.advance(timedelta(minutes=5))
    # Recorded now, for a visit three days ago (as a backfill is).
    site.container.ledger().award(
        site.alliance_id, member_id=member_id, issuer=f"merchant:{hot_pot.id}:issued", amount=40,
        idempotency_key="late-visit", occurred_at=clock.now() - timedelta(days=3),
    )  # fmt: skip

    history = site.get("/m/history").text
    points = re.findall(r'class="m-points pos">\+(\d+)<', history)
    assert points == ["121", "40"]  # newest visit first, the late-recorded one where it happened
    expiries = re.search(r'<div class="m-list" id="expiries">(.*?)</div>', history, re.S).group(1)
    year = clock.now().year + 1
    assert re.search(rf"{year}-12-31 到期</span> <strong>161 积分</strong>", expiries), expiries


def test_a_new_member_is_greeted_kindly_and_sets_name_once_and_birthday_once(site):
    join(site)
    card = site.get("/m").text
    holder = re.search(r'id="holder-name">([^<]*)<', card).group(1)
    assert holder.startswith("尊敬的会员")
    assert not re.search(r"会员 [0-9A-Z]{4}", holder)  # no pseudonym shown to the member themselves
    assert 'href="/m/settings#profile"' in card
    assert "只能设置一次" in site.get("/m/settings").text  # the birthday rule is said before saving

    bad = site.post("/m/settings/profile", data={"display_name": "娜娜", "birthday": "1992-13-40",
                                                 "csrf_token": csrf(site)})  # fmt: skip
    assert bad.status_code == 422
    assert "请填写正确的生日日期" in bad.text
    assert 'value="娜娜"' in bad.text  # what was typed stays
    saved = site.post(
        "/m/settings/profile",
        data={"display_name": "娜娜", "birthday": "1992-03-04", "csrf_token": csrf(site)},
    )
    assert saved.status_code == 200
    assert "已保存" in saved.text
    assert "readonly" in re.search(r'<input id="birthday"[^>]*>', saved.text).group(0)
    assert re.search(r'id="holder-name">娜娜 ·', site.get("/m").text)
    assert 'id="ask-name"' not in site.get("/m").text

    changed = site.post(
        "/m/settings/profile",
        data={"display_name": "李娜", "birthday": "1992-12-24", "csrf_token": csrf(site)},
    )
    assert changed.status_code == 422
    assert "生日已设置" in changed.text
    renamed = site.post(
        "/m/settings/profile",
        data={"display_name": "李娜", "birthday": "1992-03-04", "csrf_token": csrf(site)},
    )
    assert renamed.status_code == 200
    me = site.get("/api/v1/me").json()
    assert (me["display_name"], me["birthday"]) == ("李娜", "1992-03-04")
    forged = site.post("/m/settings/profile", data={"display_name": "x", "csrf_token": "0" * 64})
    assert forged.status_code == 403
