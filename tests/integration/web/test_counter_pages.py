"""The counter console as plain HTML forms: sign in, scan, preview, confirm, receipt, refund, backfill."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from tests.integration.alliance.world import PASSWORD, Builder, auth, make_client
from tests.integration.test_coalition_story import member_code, sign_up

from guildcard.kernel.clock import BUSINESS_TZ

pytestmark = pytest.mark.slow


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def staff_login(client, login: str) -> None:
    r = client.post(
        "/staff/login",
        data={"alliance": "shop", "login": login, "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


@pytest.fixture
def world(database):
    client, container = make_client(database)
    with client:
        builder = Builder(client, container)
        world = builder.world("shop")
        world.member = sign_up(client, world.id, "13912345678")
        world.client, world.container = client, container
        yield world


def test_a_cashier_previews_confirms_and_a_double_submit_shows_the_same_receipt(world):
    client, hot_pot = world.client, world.merchants[0]
    cashier = client.get(f"/api/v1/merchants/{hot_pot.id}/staff", headers=auth(hot_pot.owner)).json()
    login = next(s["login"] for s in cashier if s["role"] == "cashier")
    staff_login(client, login)

    page = client.get("/counter")
    assert page.status_code == 200
    assert "data-autofocus" in page.text
    assert "收银台" in page.text
    token = csrf(page.text)
    code = member_code(client, world.member)
    form = {"csrf_token": token, "store_id": hot_pot.store_a, "scan": code, "amount": "128", "points": "",
            "order_no": "HP-100", "kind": "code"}  # fmt: skip
    preview = client.post("/counter/preview", data=form)
    assert preview.status_code == 200, preview.text
    assert 'class="member-display">会员 ' in preview.text  # pseudonymous
    assert "13912345678" not in preview.text
    assert "¥121.60" in preview.text  # 5 % member discount
    assert 'id="points-earned">121<' in preview.text
    assert "确认" in preview.text
    preview_token = re.search(r'name="preview_token" value="([^"]+)"', preview.text).group(1)

    confirm = form | {"points": "0", "preview_token": preview_token}
    done = client.post("/counter/purchases", data=confirm, follow_redirects=False)
    assert done.status_code == 303
    receipt = client.get(done.headers["location"])
    assert "HP-100" in receipt.text
    assert "¥121.60" in receipt.text
    again = client.post("/counter/purchases", data=confirm, follow_redirects=False)
    assert again.status_code == 303
    assert "replayed=1" in again.headers["location"]
    assert "HP-100" in client.get(again.headers["location"]).text

    # A refund of half the bill, by order number.
    lookup = client.get("/counter/refunds", params={"order_no": "HP-100"})
    assert "¥121.60" in lookup.text
    form = {"csrf_token": token, "store_id": hot_pot.store_a, "order_no": "HP-100", "refund_no": "HP-100-R1",
            "amount": "60.80"}  # fmt: skip
    # Issue 12 item 6: the first Enter shows what will happen to money and points, nothing more.
    asked = client.post("/counter/refunds", data=form)
    assert asked.status_code == 200, asked.text
    assert 'id="refund-confirm"' in asked.text
    assert 'id="confirm-amount">¥60.80<' in asked.text
    assert 'id="confirm-clawed">60 积分<' in asked.text
    assert 'id="confirm-restored">0 积分<' in asked.text
    # A cashier is told before confirming that a refund below zero goes to the owner or a manager.
    assert "退款将提交店主或店长审批" in asked.text
    assert (
        "¥0.00"
        not in client.get("/counter/refunds", params={"order_no": "HP-100"}).text.split("refundable")[1][:40]
    )
    refunded = client.post("/counter/refunds", data=form | {"confirmed": "1"})
    assert refunded.status_code == 200, refunded.text
    assert 'id="points-clawed">60<' in refunded.text


def test_a_stale_code_shows_a_chinese_notice_and_a_stranger_is_sent_to_sign_in(world):
    client, hot_pot = world.client, world.merchants[0]
    assert client.get("/counter", follow_redirects=False).headers["location"] == "/staff/login?next=/counter"
    staff_login(client, _owner_login(world))
    token = csrf(client.get("/counter", params={"store": hot_pot.store_a}).text)
    bad = client.post(
        "/counter/preview",
        data={
            "csrf_token": token,
            "store_id": hot_pot.store_a,
            "scan": "1000000",
            "amount": "10",
            "order_no": "X1",
        },
    )
    assert "会员码" in bad.text
    assert "Traceback" not in bad.text


def _owner_login(world) -> str:
    staff = world.client.get(
        f"/api/v1/merchants/{world.merchants[0].id}/staff", headers=auth(world.merchants[0].owner)
    ).json()
    return next(s["login"] for s in staff if s["role"] == "owner")


def test_a_large_backfill_waits_for_the_owner_who_approves_it(world):
    client, hot_pot, container = world.client, world.merchants[0], world.container
    staff_login(client, _owner_login(world))
    token = csrf(client.get("/counter/backfills", params={"store": hot_pot.store_a}).text)
    earlier = (container.clock.now() - timedelta(0)).astimezone(BUSINESS_TZ).strftime("%Y-%m-%dT%H:%M")
    sent = client.post(
        "/counter/backfills",
        data={"csrf_token": token, "store_id": hot_pot.store_a, "receipt_no": "PAPER-7",
              "purchased_at": earlier, "amount": "800", "member": member_code(client, world.member)},
    )  # fmt: skip
    assert sent.status_code == 200, sent.text
    assert "等待店主审批" in sent.text
    pending = client.get("/merchant/backfills")
    assert "PAPER-7" in pending.text
    # issue 12 item 20: who the member is (as this merchant may see them) and who asked
    staff = client.get(f"/api/v1/merchants/{hot_pot.id}/staff", headers=auth(hot_pot.owner)).json()
    owner_name = next(s["display_name"] for s in staff if s["role"] == "owner")
    assert re.search(r'class="backfill-cashier">([^<]*)<', pending.text).group(1) == owner_name
    member_cell = re.search(r'class="backfill-member">(.*?)</td>', pending.text).group(1)
    assert re.search(r"会员|139\*\*\*\*5678", member_cell)
    assert "13912345678" not in pending.text
    assert "¥800.00" in pending.text
    backfill_id = re.search(r"/merchant/backfills/([^/]+)/approve", pending.text).group(1)
    # An unknown decision is not read as a rejection (issue 12 item 19): nothing is decided.
    odd = client.post(f"/merchant/backfills/{backfill_id}/maybe", data={"csrf_token": token})
    assert odd.status_code == 404
    assert "PAPER-7" in odd.text
    assert 'name="note"' in odd.text  # a rejection can say why
    approved = client.post(f"/merchant/backfills/{backfill_id}/approve", data={"csrf_token": token})
    assert "已批准" in approved.text
    assert "PAPER-7" not in approved.text


def _points_used(html: str) -> int:
    return int(re.search(r'id="points-used">([\d,]+) ', html).group(1).replace(",", ""))


def test_points_are_not_spent_unless_the_cashier_uses_them(world):
    """Issue 12 items 5 and 8: the preview uses no points by default, says how many could be
    used, and one button (F2 in the browser) uses them; points read 积分, not 分."""
    client, hot_pot = world.client, world.merchants[0]
    staff_login(client, _owner_login(world))
    token = csrf(client.get("/counter", params={"store": hot_pot.store_a}).text)
    first = {"csrf_token": token, "store_id": hot_pot.store_a, "amount": "128", "points": "", "kind": "code"}
    earned = client.post(
        "/counter/purchases", data=first | {"scan": member_code(client, world.member), "order_no": "HP-1"},
        follow_redirects=False,
    )  # fmt: skip
    assert earned.status_code == 303
    world.container.clock.advance(timedelta(seconds=31))

    form = first | {"scan": member_code(client, world.member), "order_no": "HP-2", "amount": "50"}
    preview = client.post("/counter/preview", data=form)
    assert preview.status_code == 200, preview.text
    assert _points_used(preview.text) == 0
    assert 'id="cash-due">¥47.50<' in preview.text  # 5 % member discount, nothing paid with points
    could = int(re.search(r'id="points-max">([\d,]+)<', preview.text).group(1))
    assert 0 < could <= 121
    assert "本单可用积分" in preview.text
    assert f"使用 {could} 积分" in preview.text  # the button
    assert " 分 " not in preview.text
    assert "分 =" not in preview.text

    used = client.post("/counter/preview", data=form | {"points": "max"})
    assert _points_used(used.text) == could
    assert re.search(rf'id="points-used">{could} 积分 抵 ¥\d+\.\d\d<', used.text)
    assert 'id="use-none"' in used.text


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _notice(html: str) -> str | None:
    found = re.search(r'class="notice error"[^>]*>(.*?)</', html, re.S)
    return found.group(1) if found else None


def test_every_counter_field_answers_bad_input_in_the_pages_language(world):
    """Issue 12 item 7: no English on a Chinese counter page, whatever the cashier types."""
    client, hot_pot = world.client, world.merchants[0]
    staff_login(client, _owner_login(world))
    token = csrf(client.get("/counter", params={"store": hot_pot.store_a}).text)
    code = member_code(client, world.member)
    sale = {"csrf_token": token, "store_id": hot_pot.store_a, "scan": code, "amount": "128", "points": "",
            "order_no": "HP-7", "kind": "code"}  # fmt: skip
    refund = {"csrf_token": token, "store_id": hot_pot.store_a, "order_no": "HP-7", "refund_no": "HP-7-R1",
              "amount": "10"}  # fmt: skip
    backfill = {"csrf_token": token, "store_id": hot_pot.store_a, "receipt_no": "RC-1",
                "purchased_at": "2026-11-30T12:00", "amount": "88", "member": "13912345678"}  # fmt: skip
    bad = [
        ("/counter/preview", sale | {"amount": "abc"}),
        ("/counter/preview", sale | {"amount": "12.345"}),
        ("/counter/preview", sale | {"amount": "-5"}),
        ("/counter/preview", sale | {"scan": "abc"}),
        ("/counter/preview", sale | {"points": "abc"}),
        ("/counter/preview", sale | {"order_no": " "}),
        ("/counter/preview", sale | {"line_category": ["drinks"], "line_amount": ["abc"]}),
        ("/counter/preview", sale | {"line_category": ["drinks"], "line_amount": ["1.234"]}),
        ("/counter/refunds", refund | {"amount": "abc"}),
        ("/counter/refunds", refund | {"amount": "1.005"}),
        ("/counter/refunds", refund | {"order_no": "NO-SUCH"}),
        ("/counter/backfills", backfill | {"amount": "abc"}),
        ("/counter/backfills", backfill | {"amount": "8.888"}),
        ("/counter/backfills", backfill | {"purchased_at": "yesterday"}),
        ("/counter/backfills", backfill | {"member": "abc"}),
    ]
    for language in ("zh-CN", "en"):
        client.cookies.set("gc_lang", language)
        for path, form in bad:
            notice = _notice(client.post(path, data=form).text)
            assert notice, str((path, {k: v for k, v in form.items() if k != "csrf_token"}))
            typed = {v for v in form.values() if isinstance(v, str)} | {"abc", "yesterday", "drinks"}
            words = [w for w in _LATIN_WORD.findall(notice) if w not in typed]
            if language == "zh-CN":
                assert words == [], (path, form, notice)
            else:
                assert not re.search(r"[\u4e00-\u9fff]", notice), (path, form, notice)
    client.cookies.delete("gc_lang")
