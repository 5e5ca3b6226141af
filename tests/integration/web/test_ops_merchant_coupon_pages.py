"""The operator's coupons and rewards page and the merchant owner's coupons page, as HTML forms."""

from __future__ import annotations

import re

import pytest
from tests.integration.web.test_counter_pages import staff_login
from tests.integration.web.test_counter_pages import world as counter_world  # noqa: F401 - the fixture
from tests.integration.web.test_ops_pages import csrf, key, ops, sign_in  # noqa: F401 - the fixture

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.rewards.domain.referrals import ReferralSettings

pytestmark = pytest.mark.slow


def test_an_operator_creates_an_alliance_coupon_and_a_budgeted_campaign_and_sets_referrals(ops):  # noqa: F811
    assert sign_in(ops).status_code == 303
    page = ops.get("/ops/coupons")
    assert "优惠券与奖励" in page.text
    token = csrf(ops, "/ops/coupons")
    coupon = {"csrf_token": token, "idempotency_key": key(ops, "/ops/coupons"), "name": "会员日通用券",
              "kind": "voucher", "value": "20", "threshold": "50", "total": "300", "per_member_limit": "1",
              "valid_days": "30", "points_price": "0"}  # fmt: skip
    assert ops.post("/ops/coupons/coupons", data=coupon, follow_redirects=False).status_code == 303
    campaign = {"csrf_token": token, "idempotency_key": key(ops, "/ops/coupons"), "name": "跨业态打卡",
                "kind": "stamp_trail", "points": "300", "budget_points": "1000", "stamps_needed": "3",
                "days": "30"}  # fmt: skip
    assert ops.post("/ops/coupons/campaigns", data=campaign, follow_redirects=False).status_code == 303
    referrals = {"csrf_token": token, "idempotency_key": key(ops, "/ops/coupons"), "enabled": "1",
                 "inviter_points": "200", "invitee_points": "100", "hold_days": "7",
                 "monthly_cap": "10"}  # fmt: skip
    assert ops.post("/ops/coupons/referrals", data=referrals, follow_redirects=False).status_code == 303
    page = ops.get("/ops/coupons").text
    assert "会员日通用券" in page
    assert "¥20代金券" in page
    assert "0 / 1,000" in page or "0 / 1000" in page  # the budget's consumption
    settings = ops.ops.container.reward_campaigns.referral_settings(alliance_id=ops.ops.alliance_id)
    assert settings == ReferralSettings(
        enabled=True, inviter_points=200, invitee_points=100, hold_days=7, monthly_cap=10
    )
    bad = ops.post("/ops/coupons/coupons", data=coupon | {"idempotency_key": "k2", "value": ""})
    assert bad.status_code == 422
    assert "券的设置无效" in bad.text or "expected" in bad.text


def _owner_coupons_page(counter_world):  # noqa: F811
    """The hot pot's owner signed in, on the coupons page."""
    client, hot_pot = counter_world.client, counter_world.merchants[0]
    staff = client.get(f"/api/v1/merchants/{hot_pot.id}/staff",
                       headers={"Authorization": f"Bearer {hot_pot.owner}"}).json()  # fmt: skip
    staff_login(client, next(s["login"] for s in staff if s["role"] == "owner"))
    return client.get("/merchant/coupons")


def test_a_merchant_owner_creates_a_coupon_and_sees_its_claims(counter_world):  # noqa: F811
    client, hot_pot = counter_world.client, counter_world.merchants[0]
    page = _owner_coupons_page(counter_world)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    form_key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "key": form_key, "name": "满100减20", "kind": "amount_off", "value": "20",
            "threshold": "100", "total": "50", "per_member_limit": "1", "valid_days": "14",
            "points_price": "0"}  # fmt: skip
    assert client.post("/merchant/coupons", data=form, follow_redirects=False).status_code == 303
    [template] = counter_world.container.coupons.templates(
        alliance_id=counter_world.id, merchant_id=hot_pot.id
    )
    member_id = client.get("/api/v1/me", headers={"Authorization": f"Bearer {counter_world.member}"}).json()[
        "member_id"
    ]
    counter_world.container.coupons.claim(
        Actor(ActorKind.MEMBER, member_id, counter_world.id),
        template_id=template.template_id,
        idempotency_key="c",
    )
    listed = client.get("/merchant/coupons").text
    assert "满¥100减¥20" in listed
    assert "1 / 50" in listed


def test_a_coupon_form_with_an_error_keeps_what_was_typed_and_marks_the_field(counter_world):  # noqa: F811
    client = counter_world.client
    page = _owner_coupons_page(counter_world)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    form_key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    # An amount-off coupon without its amount (value ¥0): refused, the form comes back as typed.
    form = {"csrf_token": token, "key": form_key, "name": "周三满减", "kind": "amount_off", "value": "0",
            "threshold": "100", "total": "50", "per_member_limit": "1", "valid_days": "14",
            "points_price": "0"}  # fmt: skip
    bad = client.post("/merchant/coupons", data=form)
    assert bad.status_code == 422
    assert 'value="周三满减"' in bad.text
    assert re.search(r'<input[^>]*name="threshold"[^>]*value="100"', bad.text)
    assert re.search(r'<input[^>]*name="value"[^>]*aria-invalid="true"', bad.text)  # the wrong field
