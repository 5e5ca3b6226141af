"""The demo's coupons, stamp trail and referrals, seeded through the services.

``DemoRewards.open()`` runs on the alliance's opening day, before the story: referral settings
(a 7-day refund window), an inviter and four invitees who register through the link and buy once
(one of those purchases is refunded: its referral is clawed back). ``finish(story)`` runs after the
story, on its last evening: alliance and merchant coupons (满减, 折扣, 代金券, 兑换券, one bought with
points), claims in the coupon centre and a staff bulk issue, a cross-trade stamp trail, purchases at
three trades by a dozen members (some paying with a coupon at the counter), an exchange write-off,
and the referral release job. A few hundred commands: a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from guildcard.bootstrap import Container
from guildcard.counter.commands import MemberIdentity, PurchaseInput, RefundInput
from guildcard.demo.joining import join
from guildcard.demo.setup import SeededAlliance, SeededMerchant
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock
from guildcard.kernel.errors import GuildCardError
from guildcard.rewards.domain.campaigns import CampaignKind
from guildcard.rewards.domain.coupons import ClaimWay, CouponKind, Funding
from guildcard.rewards.domain.referrals import ReferralSettings

TERMS_VERSION = "2026-09"
STEP = timedelta(seconds=31)  # a member code is single use per 30-second step
TRAIL_MEMBERS = 12
CENTRE_CLAIMS = 60


@dataclass
class DemoRewards:
    container: Container
    clock: FixedClock
    alliance: SeededAlliance
    invitees: list[str] = field(default_factory=list)
    orders: int = 0  # purchases recorded here (the story's tally does not count them)
    joined: int = 0
    refunds: int = 0

    # --- before the story --------------------------------------------------------------------

    def open(self, at: datetime) -> None:
        self.clock.set(at)
        admin = self.alliance.admin
        campaigns = self.container.reward_campaigns
        campaigns.set_referral_settings(
            admin, ReferralSettings(enabled=True, inviter_points=200, invitee_points=100, hold_days=7),
            idempotency_key="demo-referrals",
        )  # fmt: skip
        inviter = self._join("19900000001")
        code = campaigns.invitation(self._member(inviter))
        shops = self._by_trade()
        for n in range(4):
            invitee = self._join(f"1990000010{n}")
            campaigns.bind(self._member(invitee), invitee_id=invitee, code=code)
            self.invitees.append(invitee)
            merchant = shops[n % len(shops)]
            bought = self._buy(merchant, invitee, 8_800 + 1_000 * n)
            if n == 3 and bought is not None:  # returned two hours later: the referral is clawed back
                self.clock.advance(timedelta(hours=2))
                self._refund(merchant, *bought)

    # --- after the story ---------------------------------------------------------------------

    def finish(self, member_ids: list[str]) -> dict[str, int]:
        self.clock.advance(timedelta(minutes=1))
        coupons, admin = self.container.coupons, self.alliance.admin
        shops = self._by_trade()
        hotpot = shops[0]
        alliance_voucher = coupons.create_template(
            admin, idempotency_key="demo-cpn-alliance", name="联盟通用20元券", kind=CouponKind.VOUCHER,
            value_fen=2_000, threshold_fen=5_000, total=500, per_member_limit=1, valid_days=30,
            description="静安寺商圈联盟会员日福利，全部联盟商家可用",
        )  # fmt: skip
        manjian = coupons.create_template(
            hotpot.owner, idempotency_key="demo-cpn-manjian", name=f"{hotpot.spec.name} 满100减20",
            kind=CouponKind.AMOUNT_OFF, issuer_merchant_id=hotpot.id, value_fen=2_000, threshold_fen=10_000,
            total=200, per_member_limit=1, valid_days=14, funding=Funding.ISSUER, transferable=True,
        )  # fmt: skip
        coupons.create_template(
            shops[1].owner, idempotency_key="demo-cpn-zhe", name=f"{shops[1].spec.name} 8折券",
            kind=CouponKind.PERCENT_OFF, issuer_merchant_id=shops[1].id, percent_off=20, cap_fen=3_000,
            total=100, valid_days=14, stackable_with_points=False,
        )  # fmt: skip
        drink = coupons.create_template(
            hotpot.owner, idempotency_key="demo-cpn-drink", name="酸梅汤兑换券", kind=CouponKind.EXCHANGE,
            issuer_merchant_id=hotpot.id, item="酸梅汤一扎", total=300, valid_days=30,
            ways=[ClaimWay.CENTRE, ClaimWay.STAFF],
        )  # fmt: skip
        coupons.create_template(
            admin, idempotency_key="demo-cpn-points", name="500积分换10元券", kind=CouponKind.VOUCHER,
            value_fen=1_000, ways=[ClaimWay.POINTS], points_price=500, per_member_limit=3, valid_days=30,
        )  # fmt: skip
        members = member_ids[:CENTRE_CLAIMS]
        for n, member_id in enumerate(members):
            template = alliance_voucher if n % 2 == 0 else manjian
            self._try(lambda m=member_id, t=template.template_id: coupons.claim(
                self._member(m), template_id=t, idempotency_key=f"demo-claim-{m}-{t}"))  # fmt: skip
        coupons.issue(
            hotpot.owner, template_id=drink.template_id, member_ids=members[:20], idempotency_key="demo-issue"
        )
        self._stamp_trail(member_ids[:TRAIL_MEMBERS], shops)
        self._exchange(hotpot, members[:3])
        self.container.reward_campaigns.release_referrals(self.alliance.id)
        counts = coupons.counts(alliance_id=self.alliance.id)
        grants = self.container.reward_campaigns.referral_counts(alliance_id=self.alliance.id)
        return {
            "coupons_issued": sum(counts.values()),
            "coupons_redeemed": counts.get("used", 0),
            "stamp_trails_completed": self._trails_completed(),
            "referrals_rewarded": grants.get("rewarded", 0),
            "rewards_members": self.joined,
            "rewards_purchases": self.orders,
            "rewards_refunds": self.refunds,
        }

    def _stamp_trail(self, member_ids: list[str], shops: list[SeededMerchant]) -> None:
        self.container.reward_campaigns.create(
            self.alliance.admin, idempotency_key="demo-trail", name="跨业态打卡：吃喝玩一条街",
            kind=CampaignKind.STAMP_TRAIL, points=300, stamps_needed=3, budget_points=30_000,
            starts_at=self.clock.now(),
            ends_at=self.clock.now() + timedelta(days=30),
        )  # fmt: skip
        self.clock.advance(timedelta(seconds=5))
        for n, member_id in enumerate(member_ids):
            visits = shops[:3] if n % 3 else shops[:2]  # two of three members complete the trail
            for merchant in visits:
                self._buy(merchant, member_id, 12_000, coupon=True)

    def _exchange(self, hotpot: SeededMerchant, member_ids: list[str]) -> None:
        coupons = self.container.coupons
        for member_id in member_ids:
            for c in coupons.my_coupons(alliance_id=self.alliance.id, member_id=member_id):
                if c.rules.kind is CouponKind.EXCHANGE and c.state.value == "unused":
                    self._try(lambda code=c.code: coupons.redeem_exchange(
                        hotpot.cashiers[0], store_id=hotpot.store_ids[0], code=code,
                        idempotency_key=f"demo-xch-{code}"))  # fmt: skip
                    break

    def _trails_completed(self) -> int:
        campaigns = self.container.reward_campaigns
        counts = campaigns.grant_counts(alliance_id=self.alliance.id)
        return sum(counts.get(c.campaign_id, 0) for c in campaigns.campaigns(alliance_id=self.alliance.id)
                   if c.kind is CampaignKind.STAMP_TRAIL)  # fmt: skip

    # --- helpers -----------------------------------------------------------------------------

    def _by_trade(self) -> list[SeededMerchant]:
        """One merchant per trade, in the alliance's order."""
        seen: dict[str, SeededMerchant] = {}
        for m in self.alliance.merchants:
            seen.setdefault(m.spec.trade, m)
        return list(seen.values())

    def _member(self, member_id: str) -> Actor:
        return Actor(ActorKind.MEMBER, member_id, self.alliance.id)

    def _join(self, phone: str) -> str:
        signed = join(self.container, self.alliance.id, phone=phone, client_ip="198.19.0.1",
                      terms_version=TERMS_VERSION)  # fmt: skip
        self.joined += 1
        return signed.member.member_id

    def _buy(
        self, merchant: SeededMerchant, member_id: str, fen: int, *, coupon: bool = False
    ) -> tuple[str, int] | None:
        """A purchase at the merchant's first store (with the best coupon when ``coupon``): its
        order number and what the member paid."""
        self.clock.advance(STEP)
        order_no = f"{merchant.spec.slug.upper()}-RW-{self.orders + 1:04d}"
        code = self.container.members.member_codes.show_member_code(
            alliance_id=self.alliance.id, member_id=member_id
        )
        who = MemberIdentity(member_code=code.digits)
        request = PurchaseInput(merchant.store_ids[0], order_no, fen, who, 0)
        counter, cashier = self.container.counter, merchant.cashiers[0]
        try:
            if coupon:
                best = next((o for o in counter.preview(cashier, request).coupons if o.usable), None)
                if best is not None:
                    request = PurchaseInput(
                        merchant.store_ids[0], order_no, fen, who, 0, coupon_id=best.coupon_id
                    )
            receipt = counter.commit(cashier, request).receipt
        except GuildCardError:
            return None
        self.orders += 1
        return order_no, receipt.payable_fen

    def _refund(self, merchant: SeededMerchant, order_no: str, fen: int) -> None:
        request = RefundInput(merchant.store_ids[0], order_no, f"{order_no}-R1", fen)
        try:
            self.container.counter.refund(merchant.cashiers[0], request)
        except GuildCardError:
            return
        self.refunds += 1

    @staticmethod
    def _try(call: Any) -> None:
        try:
            call()
        except GuildCardError:  # sold out, a limit reached: the demo goes on as people would
            return
