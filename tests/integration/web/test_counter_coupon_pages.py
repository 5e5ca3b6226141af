"""The counter console with coupons, as plain HTML forms: pick the member's coupon in the preview,
confirm, and write off an exchange coupon by its code (scan -> preview -> confirm)."""

from __future__ import annotations

import re

import pytest
from tests.integration.alliance.world import auth
from tests.integration.test_coalition_story import member_code
from tests.integration.web.test_counter_pages import csrf, staff_login, world  # noqa: F401 - the fixture

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.rewards.domain.coupons import ClaimWay, CouponKind

pytestmark = pytest.mark.slow


def _cashier_login(world) -> None:  # noqa: F811
    client, hot_pot = world.client, world.merchants[0]
    staff = client.get(f"/api/v1/merchants/{hot_pot.id}/staff", headers=auth(hot_pot.owner)).json()
    staff_login(client, next(s["login"] for s in staff if s["role"] == "cashier"))


def _member_id(world) -> str:  # noqa: F811
    return world.client.get("/api/v1/me", headers=auth(world.member)).json()["member_id"]


def test_the_cashier_picks_the_members_coupon_in_the_preview_and_it_is_used(world):  # noqa: F811
    container, member_id = world.container, _member_id(world)
    admin = Actor(ActorKind.OPERATOR, "op_admin", world.id, role="admin")
    template = container.coupons.create_template(
        admin,
        idempotency_key="t",
        name="联盟通用20元券",
        kind=CouponKind.VOUCHER,
        value_fen=2_000,
        valid_days=30,
    )
    member = Actor(ActorKind.MEMBER, member_id, world.id)
    coupon = container.coupons.claim(member, template_id=template.template_id, idempotency_key="c")
    _cashier_login(world)
    client, hot_pot = world.client, world.merchants[0]
    token = csrf(client.get("/counter").text)
    form = {"csrf_token": token, "store_id": hot_pot.store_a, "scan": member_code(client, world.member),
            "amount": "128", "points": "0", "order_no": "HP-CPN-1", "kind": "code"}  # fmt: skip
    preview = client.post("/counter/preview", data=form)
    assert "联盟通用20元券 · −¥20.00" in preview.text
    picked = client.post("/counter/preview", data=form | {"coupon": coupon.coupon_id})
    assert "已选用" in picked.text
    assert "¥101.60" in picked.text  # 128 - 5 % member discount - 20
    preview_token = re.search(r'name="preview_token" value="([^"]+)"', picked.text).group(1)
    confirm = form | {"coupon": coupon.coupon_id, "preview_token": preview_token}
    done = client.post("/counter/purchases", data=confirm, follow_redirects=False)
    assert done.status_code == 303, done.text
    used = container.coupons.coupon(alliance_id=world.id, coupon_id=coupon.coupon_id)
    assert used.state.value == "used"


def test_an_exchange_coupon_is_scanned_previewed_and_written_off_once(world):  # noqa: F811
    container, member_id, hot_pot = world.container, _member_id(world), world.merchants[0]
    owner = Actor(ActorKind.STAFF, "stf_owner", world.id, role="owner", merchant_id=hot_pot.id)
    template = container.coupons.create_template(
        owner, idempotency_key="x", name="酸梅汤兑换券", kind=CouponKind.EXCHANGE,
        issuer_merchant_id=hot_pot.id, item="酸梅汤一扎", valid_days=7, ways=[ClaimWay.CENTRE],
    )  # fmt: skip
    coupon = container.coupons.claim(
        Actor(ActorKind.MEMBER, member_id, world.id), template_id=template.template_id, idempotency_key="c"
    )
    _cashier_login(world)
    client = world.client
    page = client.get(f"/counter/exchange?store={hot_pot.store_a}")
    assert "兑换券核销" in page.text
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    form = {
        "csrf_token": csrf(page.text),
        "store_id": hot_pot.store_a,
        "code": coupon.code.lower(),
        "key": key,
    }
    preview = client.post("/counter/exchange", data=form)
    assert "酸梅汤一扎" in preview.text
    assert 'name="confirm"' in preview.text
    done = client.post("/counter/exchange", data=form | {"confirm": "1"})
    assert "已核销" in done.text
    again = client.post("/counter/exchange", data=form | {"confirm": "1", "key": "another"})
    assert "这张券已使用" in again.text
    unknown = client.post("/counter/exchange", data=form | {"code": "NOPE"})
    assert "没有这个券码" in unknown.text
