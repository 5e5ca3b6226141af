"""A member with coupons, stored value, a paid card, a tier and an invited friend is merged into
another account: the survivor's H5 shows all of it; the undo gives it all back (SQLite and
PostgreSQL), and the ledger and the wallets verify clean after each step."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.web.test_member_pages import buy_with_member_code, csrf, join, site  # noqa: F401 - the fixture
from tests.integration.web.test_member_tier_card import DESIGN, top_up_and_sell_a_gold_card

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.ledger.verify import verify_alliance
from guildcard.loyalty import wallet_queries
from guildcard.rewards.domain.coupons import CouponKind
from guildcard.rewards.domain.referrals import ReferralSettings

ABSORBED_PHONE, SURVIVOR_PHONE, FRIEND_PHONE = "13911110001", "13911110002", "13911110003"


def _clean(client) -> None:
    with client.container.database.read() as conn:
        assert verify_alliance(conn, client.alliance_id) == []
        assert wallet_queries.verify(conn, client.alliance_id) == []


def _sign_out(client) -> None:
    client.post("/m/logout", data={"csrf_token": csrf(client)})
    client.container.clock.advance(timedelta(minutes=2))  # a new code for the same phone may be sent


def _me(client) -> str:
    return client.get("/api/v1/me").json()["member_id"]


def _holdings(client) -> dict[str, str]:
    """What the signed-in member's pages show: tier, card, wallet, coupons, friends invited, points."""
    card = client.get("/m?lang=zh-CN").text
    wallet = client.get("/m/wallet").text
    mine = client.get("/m/coupons?view=mine").text
    invite = client.get("/m/invite").text
    return {
        "tier": re.search(r'class="m-tier">([^<]+)<', card).group(1),
        "card": "金卡季卡 · 有效期至" in card,
        "wallet": re.search(r'id="wallet-total">([^<]+)<', wallet).group(1),
        "coupons": re.search(r"我的券 \((\d+)\)", mine).group(1),
        "friends": re.search(r"已邀请好友 \((\d+)\)", invite).group(1),
        "points": re.search(r"data-balance>([^<]+)<", card).group(1),
        "tier_history": wallet.split('id="tier-history"', 1)[-1].split("</ol>")[0],
    }


def test_the_survivor_sees_everything_the_absorbed_member_held_and_the_undo_gives_it_back(site):  # noqa: F811
    container, alliance_id = site.container, site.alliance_id
    ops = Actor(ActorKind.OPERATOR, "op_admin", alliance_id, role="admin")
    container.tiers.design(alliance_id=alliance_id, scheme=DESIGN, actor_id=ops.id, idempotency_key="d1")
    container.reward_campaigns.set_referral_settings(
        ops, ReferralSettings(enabled=True, inviter_points=200), idempotency_key="s"
    )
    hot_pot = site.builder.merchant(alliance_id, site.admin)
    cashier = Actor(ActorKind.STAFF, "stf_x", alliance_id, role="cashier", merchant_id=hot_pot.id)

    # The absorbed account: a purchase (points, growth: 银卡), ¥200 stored value, a 金卡 paid card,
    # a coupon, and a friend who joined through its invitation.
    join(site, ABSORBED_PHONE)
    absorbed = _me(site)
    buy_with_member_code(site, hot_pot, "HP-1", 18000)
    top_up_and_sell_a_gold_card(container, ops, cashier, absorbed)
    template = container.coupons.create_template(
        ops, idempotency_key="t", name="联盟通用20元券", kind=CouponKind.VOUCHER, value_fen=2_000, total=10,
        valid_days=30,
    )  # fmt: skip
    container.coupons.claim(
        Actor(ActorKind.MEMBER, absorbed, alliance_id), template_id=template.template_id, idempotency_key="c1"
    )
    link = re.search(r'value="(http[^"]+/m/invite/[A-Z0-9]+)"', site.get("/m/invite").text).group(1)
    before = _holdings(site)
    assert int(before["points"]) > 0
    assert before | {"tier_history": "", "points": ""} == {
        "tier": "金卡", "card": True, "wallet": "¥200.00", "coupons": "1", "friends": "0", "points": "",
        "tier_history": "",
    }  # fmt: skip
    _sign_out(site)
    site.get(link.replace("http://testserver", ""))
    join(site, FRIEND_PHONE)
    _sign_out(site)
    join(site, ABSORBED_PHONE)
    assert _holdings(site)["friends"] == "1"
    _sign_out(site)

    # The survivor: a plain new account.
    join(site, SURVIVOR_PHONE)
    survivor = _me(site)
    empty = _holdings(site)
    assert (empty["tier"], empty["wallet"], empty["coupons"], empty["friends"]) == (
        "普通会员",
        "¥0.00",
        "0",
        "0",
    )
    _clean(site)

    merged = container.members.merging.merge(ops, alliance_id, survivor, absorbed)
    _clean(site)
    moved = dict(merged.carried)
    assert (moved["wallet_fen"], moved["cards"], moved["coupons"], moved["referrals"]) == (20_000, 1, 1, 1)
    after = _holdings(site)
    assert after["tier"] == "金卡"  # the paid card's claim, the longer of the two
    assert after["card"]
    assert after["wallet"] == "¥200.00"
    assert after["coupons"] == "1"
    assert after["friends"] == "1"
    assert after["points"] == before["points"]
    assert "普通会员 → 金卡" in after["tier_history"]
    assert "会员合并" in after["tier_history"]
    # signing in with the absorbed member's phone signs in the survivor
    _sign_out(site)
    join(site, ABSORBED_PHONE)
    assert _me(site) == survivor

    container.members.merging.unmerge(ops, alliance_id, merged.merge_id)
    _clean(site)
    back = _holdings(site)  # still the survivor's session: its own account again
    assert (back["tier"], back["card"], back["wallet"], back["coupons"], back["friends"], back["points"]) == (
        "普通会员", False, "¥0.00", "0", "0", "0",
    )  # fmt: skip
    _sign_out(site)
    join(site, ABSORBED_PHONE)
    assert _me(site) == absorbed
    restored = _holdings(site)
    assert restored | {"tier_history": ""} == before | {"friends": "1", "tier_history": ""}
