"""Tiers, paid cards and stored value in the demo, through the services.

``design`` (before the story): the alliance's four tiers (members are upgraded at once by the
counter as their growth crosses a threshold), top-up packages and paid-card plans.
``play`` (after the story): top-ups at the bakery and the cinema spent at the KTV and the hot
pot (one refunded in part), paid cards sold at the cinema and activated by code, a batch of
¥100 top-up codes (储值卡密) sold by the bakery of which members redeem three, and the
tier evaluation at the last day. Returns this issue's demo keys.
"""

from __future__ import annotations

from datetime import timedelta
from random import Random

from guildcard.bootstrap import Container
from guildcard.demo.setup import SeededAlliance, SeededMerchant
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import FixedClock, business_date
from guildcard.loyalty import tier_queries
from guildcard.loyalty.domain.errors import WalletInsufficient

TIERS = {
    "tiers": [
        {
            "code": "member",
            "name": "普通会员",
            "name_en": "Member",
            "rank": 0,
            "threshold": 0,
            "colour": "#8a8f98",
            "benefits_text": "消费累积成长值与积分",
        },
        {
            "code": "silver",
            "name": "银卡",
            "name_en": "Silver",
            "rank": 1,
            "threshold": 500,
            "retention": 300,
            "colour": "#9aa5b1",
            "points_multiplier": "1.2",
            "member_discount": "0.02",
            "gift_points": 200,
            "benefits_text": "积分1.2倍 · 全联盟98折 · 升级礼包200积分",
        },
        {
            "code": "gold",
            "name": "金卡",
            "name_en": "Gold",
            "rank": 2,
            "threshold": 1500,
            "retention": 1000,
            "colour": "#c9a227",
            "points_multiplier": "1.5",
            "member_discount": "0.05",
            "gift_points": 500,
            "benefits_text": "积分1.5倍 · 全联盟95折 · 升级礼包500积分",
        },
        {
            "code": "diamond",
            "name": "钻石卡",
            "name_en": "Diamond",
            "rank": 3,
            "threshold": 4000,
            "retention": 3000,
            "colour": "#3d5a80",
            "points_multiplier": "2",
            "member_discount": "0.08",
            "gift_points": 1000,
            "benefits_text": "积分2倍 · 全联盟92折 · 生日双倍积分",
        },
    ],
    "rules": {
        "basis": "rolling",
        "window_days": 365,
        "downgrade": "evaluation",
        "grace_days": 30,
        "refund_policy": "promoting_purchase",
    },
}


CODE_TOPUPS = 3  # members who top up with a code from the bakery's batch


def _merchant(alliance: SeededAlliance, slug: str) -> SeededMerchant:
    return next(m for m in alliance.merchants if m.spec.slug == slug)


def design(container: Container, alliance: SeededAlliance) -> None:
    admin = alliance.admin
    container.tiers.design(
        alliance_id=alliance.id, scheme=TIERS, actor_id=admin.id, idempotency_key="demo-tiers"
    )
    wallets, cards = container.wallets, container.cards
    for name, pay, bonus in (
        ("充200送10", 20_000, 1_000),
        ("充500送50", 50_000, 5_000),
        ("充1000送150", 100_000, 15_000),
    ):
        wallets.create_package(
            admin, name=name, pay_fen=pay, bonus_fen=bonus, idempotency_key=f"demo-pkg-{pay}"
        )
    cards.create_plan(
        admin,
        name="金卡季卡",
        price_fen=6_800,
        period="quarter",
        tier_code="gold",
        benefits_text="三个月金卡权益",
        idempotency_key="demo-plan-gold",
    )
    cards.create_plan(
        admin,
        name="钻石年卡",
        price_fen=19_900,
        period="year",
        tier_code="diamond",
        benefits_text="一年钻石卡权益",
        idempotency_key="demo-plan-diamond",
    )


def play(
    container: Container, clock: FixedClock, alliance: SeededAlliance, member_ids: list[str]
) -> dict[str, object]:
    rng = Random(13)  # noqa: S311 - demo data, reproducible on purpose
    admin, a = alliance.admin, alliance.id
    bakery, cinema = _merchant(alliance, "bakery"), _merchant(alliance, "cinema")
    ktv, hotpot = _merchant(alliance, "ktv"), _merchant(alliance, "hotpot")
    packages = container.wallets.packages(alliance_id=a)
    chosen = rng.sample(member_ids, min(24, len(member_ids)))
    topups = payments = 0
    for i, member in enumerate(chosen):
        at = bakery if i % 2 else cinema
        package = packages[i % len(packages)]
        container.wallets.top_up(
            at.cashiers[0],
            member_id=member,
            merchant_id=at.id,
            store_id=at.store_ids[0],
            package_id=package.package_id,
            idempotency_key=f"demo-topup-{i}",
        )
        topups += 1
        for j in range(rng.randint(1, 3)):
            spend_at = ktv if j % 2 else hotpot
            try:
                paid = container.wallets.pay(
                    spend_at.cashiers[0],
                    member_id=member,
                    merchant_id=spend_at.id,
                    amount_fen=rng.choice((6_800, 12_800, 25_600)),
                    idempotency_key=f"demo-wallet-{i}-{j}",
                ).value
            except WalletInsufficient:
                break
            payments += 1
            if i == 0 and j == 0:  # one bill refunded in part
                container.wallets.refund_payment(
                    spend_at.cashiers[0],
                    merchant_id=spend_at.id,
                    payment_id=paid.payment_id,
                    refund_fen=paid.principal_fen // 2,
                    payable_fen=paid.principal_fen + paid.bonus_fen,
                    idempotency_key="demo-wallet-refund",
                )
    plans = container.cards.plans(alliance_id=a)
    buyers = rng.sample(member_ids, min(8, len(member_ids)))
    for i, member in enumerate(buyers):
        container.cards.sell(
            cinema.cashiers[0],
            member_id=member,
            merchant_id=cinema.id,
            store_id=cinema.store_ids[0],
            plan_id=plans[i % len(plans)].plan_id,
            idempotency_key=f"demo-card-{i}",
        )
    batch = container.cards.generate_codes(
        admin,
        plan_id=plans[0].plan_id,
        size=20,
        expires_at=clock.now() + timedelta(days=90),
        idempotency_key="demo-codes",
    ).value
    for i, code in enumerate(batch.codes[:3]):
        member = member_ids[-1 - i]
        container.cards.activate(admin, member_id=member, code=code, idempotency_key=f"demo-activate-{i}")
    # Stored-value top-up codes (储值卡密): ¥100 gift cards sold by the bakery, three redeemed.
    gift = container.wallets.generate_codes(
        bakery.owner,
        merchant_id=bakery.id,
        face_fen=10_000,
        size=20,
        expires_at=clock.now() + timedelta(days=180),
        note="新春储值礼品卡",
        idempotency_key="demo-topup-codes",
    ).value
    for i, code in enumerate(gift.codes[:CODE_TOPUPS]):
        redeemer = Actor(ActorKind.MEMBER, member_ids[i], a)
        container.wallets.redeem_code(
            redeemer, member_id=redeemer.id, code=code, idempotency_key=f"demo-redeem-{i}"
        )
    container.tiers.evaluate(alliance_id=a, as_of=business_date(clock.now()) - timedelta(days=1))
    with container.database.read() as conn:
        changes, by_tier = tier_queries.change_count(conn, a), tier_queries.members_by_tier(conn, a)
    return {
        "tier_changes": changes,
        "members_by_tier": by_tier,
        "paid_cards_sold": len(buyers),
        "paid_cards_activated": 3,
        "wallet_topups": topups,
        "wallet_payments": payments,
        "wallet_code_topups": CODE_TOPUPS,
    }
