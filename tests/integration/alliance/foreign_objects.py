"""Real objects for the access matrix to aim at: purchases, backfills, campaigns, coupons, mall
items and webhook subscriptions that belong to another alliance, merchant or store.

Seeded through the API where it has an operation, through the services otherwise (as the pages do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

from tests.integration.alliance.world import AllianceWorld, MerchantWorld, auth

from guildcard.api.auth import resolve_actor
from guildcard.kernel.actors import Actor
from guildcard.rewards.domain.campaigns import CampaignKind
from guildcard.rewards.domain.coupons import CouponKind
from guildcard.rewards.domain.mall import Delivery, ItemKind
from guildcard.rewards.handlers.mall import CreateMallItem

_serial = count(1)


@dataclass(frozen=True)
class StoreObjects:
    """What lives at one store: a purchase (its order number) and a backfill awaiting approval."""

    order_no: str
    backfill_id: str


@dataclass(frozen=True)
class AllianceObjects:
    """What lives in one alliance (or one merchant's part of it)."""

    campaign_id: str
    coupon_id: str
    item_id: str
    subscription_id: str


def _actor(api: Any, token: str) -> Actor:
    actor = resolve_actor(api.container, token)
    assert actor is not None
    return actor


def consenting_member(api: Any, alliance_id: str, phone: str, token: str) -> str:
    r = api.client.put(
        "/api/v1/me/consents/phone_lookup", json={"granted": True, "version": "2026-11"}, headers=auth(token)
    )
    assert r.status_code == 200, r.text
    return phone


def store_objects(api: Any, m: MerchantWorld, store: str, phone: str) -> StoreObjects:
    n = next(_serial)
    order_no = f"FX-{n}"
    body = {"store_id": store, "phone": phone, "order_no": order_no, "amount_fen": 8800}
    r = api.client.post("/api/v1/counter/purchases", json=body, headers=auth(m.owner))
    assert r.status_code == 201, r.text
    purchased_at = (api.container.clock.now() - timedelta(days=2)).isoformat()
    backfill = {"store_id": store, "phone": phone, "receipt_no": f"FX-R-{n}", "purchased_at": purchased_at}
    r = api.client.post(
        "/api/v1/counter/backfills", json=backfill | {"amount_fen": 9_000_000}, headers=auth(m.owner)
    )
    assert r.status_code in {200, 201, 202}, r.text
    assert r.json()["status"] == "needs_approval", r.text
    return StoreObjects(order_no, r.json()["backfill_id"])


def alliance_objects(api: Any, w: AllianceWorld, m: MerchantWorld, member_token: str) -> AllianceObjects:
    """A campaign and a coupon of ``w``, a mall item ``m`` supplies, and ``m``'s webhook subscription."""
    n = next(_serial)
    container, now = api.container, api.container.clock.now()
    admin, owner, member = (_actor(api, t) for t in (w.operators["admin"], m.owner, member_token))
    campaign = container.reward_campaigns.create(
        admin, idempotency_key=f"fx-campaign-{n}", name=f"满额送{n}", kind=CampaignKind.SPEND_THRESHOLD,
        points=100, threshold_fen=10_000, budget_points=10_000, starts_at=now,
        ends_at=now + timedelta(days=30),
    )  # fmt: skip
    template = container.coupons.create_template(
        owner, idempotency_key=f"fx-cpn-{n}", name=f"满100减20券{n}", kind=CouponKind.AMOUNT_OFF,
        issuer_merchant_id=m.id, value_fen=2_000, threshold_fen=10_000, total=10, valid_days=14,
    )  # fmt: skip
    coupon = container.coupons.claim(
        member, template_id=template.template_id, idempotency_key=f"fx-claim-{n}"
    )
    item = container.bus.execute(admin, CreateMallItem(
        supplier_merchant_id=m.id, kind=ItemKind.GOODS, title=f"马克杯{n}", points=900,
        purchase_price_fen=600,
        delivery=Delivery.PICKUP, stock=10, idempotency_key=f"fx-item-{n}",
    )).value  # fmt: skip
    r = api.client.post(
        "/api/v1/webhooks/subscriptions",
        json={
            "url": "https://pos.example.com/hooks",
            "event_types": ["counter.purchase_recorded"],
            "merchant_id": m.id,
        },
        headers=auth(m.owner),
    )
    assert r.status_code == 201, r.text
    return AllianceObjects(campaign.campaign_id, coupon.coupon_id, item.id, r.json()["id"])
