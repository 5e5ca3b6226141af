"""The member H5's coupons as plain HTML forms, on SQLite and PostgreSQL: claim in the coupon centre,
see the coupon's own code and its rules in Chinese, the stamp card and the invitation page."""

from __future__ import annotations

import re

from tests.integration.web.test_member_pages import csrf, join, site  # noqa: F401 - the fixture

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.rewards.domain.coupons import CouponKind


def admin(client) -> Actor:
    return Actor(ActorKind.OPERATOR, "op_admin", client.alliance_id, role="admin")


def test_a_member_claims_a_coupon_and_sees_its_code_and_rules(site):  # noqa: F811
    join(site)
    template = site.container.coupons.create_template(
        admin(site), idempotency_key="t", name="联盟通用20元券", kind=CouponKind.VOUCHER, value_fen=2_000,
        threshold_fen=5_000, total=10, valid_days=30,
    )  # fmt: skip
    centre = site.get("/m/coupons").text
    assert "领券中心" in centre
    assert "¥20代金券" in centre
    assert "剩余 10 张" in centre
    key = re.search(r'name="key" value="([^"]+)"', centre).group(1)
    form = {"template_id": template.template_id, "key": key, "csrf_token": csrf(site)}
    claimed = site.post("/m/coupons/claim", data=form, follow_redirects=False)
    assert claimed.status_code == 303
    again = site.post("/m/coupons/claim", data=form, follow_redirects=False)  # a double tap replays
    assert again.status_code == 303
    mine = site.get("/m/coupons?view=mine&claimed=1").text
    assert "领取成功" in mine
    assert "我的券 (1)" in mine
    coupon_id = re.search(r'href="/m/coupons/(cpn_[^"]+)"', mine).group(1)
    page = site.get(f"/m/coupons/{coupon_id}").text
    code = site.container.coupons.coupon(alliance_id=site.alliance_id, coupon_id=coupon_id).code
    assert f"{code[:4]} {code[4:8]}" in page
    assert "<svg" in page
    assert "消费满¥50可用" in page
    assert "全部联盟商家可用" in page
    refused = site.post("/m/coupons/claim", data=form | {"key": "another"})
    assert refused.status_code == 422
    assert "您已达到这张券的每人限领数量" in refused.text
    english = site.get(f"/m/coupons/{coupon_id}?lang=en").text
    assert "¥20 voucher" in english


def test_the_stamp_card_and_the_invitation_page(site):  # noqa: F811
    join(site)
    assert "目前没有进行中的打卡活动" in site.get("/m/stamps").text
    from datetime import timedelta  # noqa: PLC0415

    from guildcard.rewards.domain.campaigns import CampaignKind  # noqa: PLC0415

    now = site.container.clock.now()
    site.container.reward_campaigns.create(
        admin(site), idempotency_key="trail", name="跨业态打卡", kind=CampaignKind.STAMP_TRAIL, points=300,
        stamps_needed=3, starts_at=now, ends_at=now + timedelta(days=30),
    )  # fmt: skip
    card = site.get("/m/stamps").text
    assert "跨业态打卡" in card
    assert "已集 0 / 3 枚" in card
    invite = site.get("/m/invite").text
    assert "邀请有礼" in invite
    assert "/m/invite/" in invite
    assert "<svg" in invite


def test_a_friend_who_registers_through_the_invitation_link_is_bound_to_the_inviter(site):  # noqa: F811
    from guildcard.rewards.domain.referrals import ReferralSettings  # noqa: PLC0415

    site.container.reward_campaigns.set_referral_settings(
        admin(site), ReferralSettings(enabled=True, inviter_points=200), idempotency_key="s"
    )
    join(site, "13911112222")
    link = re.search(r'value="(http[^"]+/m/invite/[A-Z0-9]+)"', site.get("/m/invite").text).group(1)
    inviter = site.get("/api/v1/me").json()["member_id"]
    site.post("/m/logout", data={"csrf_token": csrf(site)})
    followed = site.get(link.replace("http://testserver", ""), follow_redirects=False)
    assert followed.headers["location"] == "/m/login"
    join(site, "13933334444")
    invitee = site.get("/api/v1/me").json()["member_id"]
    bound = site.container.reward_campaigns.referral(alliance_id=site.alliance_id, invitee_id=invitee)
    assert (bound.inviter_id, bound.state) == (inviter, "bound")
