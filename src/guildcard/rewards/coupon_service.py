"""Coupon service: the entry points' (and the demo's) one way to coupons.

Writes build a command and run it on the bus (``handlers/coupons.py``); reads go through
``queries/coupons.py`` on a read connection. Errors raised: ``CouponTemplateInvalid``,
``CouponTemplateNotFound``, ``CouponNotFound``, ``CouponSoldOut``, ``CouponLimitReached``,
``CouponNotClaimable``, ``CouponNotForMember``, ``CouponNotUsable``, ``CouponAlreadyUsed``,
``CouponNotTransferable``, ``PermissionDenied``, the ledger's ``InsufficientPoints`` (buying
with points) and ``IdempotencyConflict`` (every write).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import Clock
from guildcard.pipeline import CommandBus
from guildcard.rewards.domain.coupons import Coupon, CouponTemplate, Place, Verdict, judge
from guildcard.rewards.handlers.coupons import (
    BuyCouponWithPoints,
    ClaimCoupon,
    CreateCouponTemplate,
    GiftCoupon,
    GiveCouponToFriend,
    IssueJob,
    RedeemExchangeCoupon,
    RunIssueJob,
    StartIssueJob,
    StopCouponTemplate,
)
from guildcard.rewards.ports import PlaceSource
from guildcard.rewards.queries import coupons as queries
from guildcard.rewards.queries.coupons import CentreItem

MAX_JOB_STEPS = 10_000


class CouponService:
    def __init__(
        self, database: Database, clock: Clock, bus: CommandBus, *, places: PlaceSource | None = None
    ) -> None:
        self.database = database
        self.clock = clock
        self.bus = bus
        self.places = places  # where a store is (exchange previews)

    # --- writes ------------------------------------------------------------------------------

    def create_template(self, actor: Actor, *, idempotency_key: str, **fields: Any) -> CouponTemplate:
        """A new coupon (see ``CreateCouponTemplate`` for the fields)."""
        for name in ("store_ids", "merchant_ids", "trades", "tiers", "ways"):
            if name in fields:
                fields[name] = frozenset(fields[name])
        command = CreateCouponTemplate(idempotency_key=idempotency_key, **fields)
        value: CouponTemplate = self.bus.execute(actor, command).value
        return value

    def stop_template(self, actor: Actor, *, template_id: str, idempotency_key: str) -> CouponTemplate:
        value: CouponTemplate = self.bus.execute(
            actor, StopCouponTemplate(template_id=template_id, idempotency_key=idempotency_key)
        ).value
        return value

    def claim(self, actor: Actor, *, template_id: str, idempotency_key: str) -> Coupon:
        """The signed-in member claims a coupon in the coupon centre."""
        command = ClaimCoupon(member_id=actor.id, template_id=template_id, idempotency_key=idempotency_key)
        value: Coupon = self.bus.execute(actor, command).value
        return value

    def buy_with_points(self, actor: Actor, *, template_id: str, idempotency_key: str) -> Coupon:
        command = BuyCouponWithPoints(
            member_id=actor.id, template_id=template_id, idempotency_key=idempotency_key
        )
        value: Coupon = self.bus.execute(actor, command).value
        return value

    def gift(self, actor: Actor, *, member_id: str, template_id: str, reason: str) -> Coupon:
        """Give a coupon to a member once per ``reason`` (campaign gifts; the reason is the key)."""
        command = GiftCoupon(
            member_id=member_id, template_id=template_id, reason=reason,
            idempotency_key=f"gift:{template_id}:{member_id}:{reason}",
        )  # fmt: skip
        value: Coupon = self.bus.execute(actor, command).value
        return value

    def give_to_friend(
        self, actor: Actor, *, coupon_id: str, friend_member_id: str, idempotency_key: str
    ) -> Coupon:
        command = GiveCouponToFriend(
            member_id=actor.id, coupon_id=coupon_id, friend_member_id=friend_member_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        value: Coupon = self.bus.execute(actor, command).value
        return value

    def start_issue(
        self, actor: Actor, *, template_id: str, member_ids: Iterable[str] = (), idempotency_key: str,
        tier_code: str | None = None, segment_id: str | None = None,
    ) -> IssueJob:  # fmt: skip
        """Chosen members, or every member of a tier or of a saved segment (exactly one)."""
        command = StartIssueJob(
            template_id=template_id, member_ids=tuple(member_ids), tier_code=tier_code, segment_id=segment_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        value: IssueJob = self.bus.execute(actor, command).value
        return value

    def run_issue(self, actor: Actor, *, job_id: str, batch: int = 200) -> IssueJob:
        """One more batch of a bulk issue (safe to repeat: each member gets the coupon once)."""
        value: IssueJob = self.bus.execute(actor, RunIssueJob(job_id=job_id, batch=batch)).value
        return value

    def issue(
        self,
        actor: Actor,
        *,
        template_id: str,
        member_ids: Iterable[str] = (),
        idempotency_key: str,
        batch: int = 200,
        tier_code: str | None = None,
        segment_id: str | None = None,
    ) -> IssueJob:
        """Start a bulk issue and run it to the end (the CLI, the demo; pages run it in steps)."""
        job = self.start_issue(
            actor, template_id=template_id, member_ids=member_ids, idempotency_key=idempotency_key,
            tier_code=tier_code, segment_id=segment_id,
        )  # fmt: skip
        for _ in range(MAX_JOB_STEPS):
            if job.finished:
                break
            job = self.run_issue(actor, job_id=job.job_id, batch=batch)
        return job

    def redeem_exchange(self, actor: Actor, *, store_id: str, code: str, idempotency_key: str) -> Coupon:
        command = RedeemExchangeCoupon(store_id=store_id, code=code, idempotency_key=idempotency_key)
        value: Coupon = self.bus.execute(actor, command).value
        return value

    # --- reads -------------------------------------------------------------------------------

    def centre(self, *, alliance_id: str, member_id: str, now: datetime | None = None) -> list[CentreItem]:
        with self.database.read() as conn:
            return queries.centre(conn, alliance_id, member_id, now or self.clock.now())

    def my_coupons(self, *, alliance_id: str, member_id: str) -> list[Coupon]:
        with self.database.read() as conn:
            return queries.member_coupons(conn, alliance_id, member_id, self.clock.now())

    def offers(self, *, alliance_id: str, member_id: str, place: Place, bill_fen: int) -> list[Verdict]:
        with self.database.read() as conn:
            return queries.offers(
                conn, alliance_id, member_id=member_id, place=place, bill_fen=bill_fen, at=self.clock.now()
            )

    def templates(
        self, *, alliance_id: str, merchant_id: str | None = None, alliance_only: bool = False
    ) -> list[CouponTemplate]:
        with self.database.read() as conn:
            return queries.templates(conn, alliance_id, merchant_id=merchant_id, alliance_only=alliance_only)

    def template(self, *, alliance_id: str, template_id: str) -> CouponTemplate | None:
        with self.database.read() as conn:
            return queries.template(conn, alliance_id, template_id)

    def costs(self, *, alliance_id: str) -> dict[str, int]:
        with self.database.read() as conn:
            return queries.costs(conn, alliance_id)

    def counts(self, *, alliance_id: str) -> dict[str, int]:
        with self.database.read() as conn:
            return queries.counts(conn, alliance_id)

    def exchange_preview(self, *, alliance_id: str, store_id: str, code: str) -> Verdict | None:
        """An exchange coupon scanned at a store, judged (None: no such code). Nothing is written."""
        with self.database.read() as conn:
            found = queries.by_code(conn, alliance_id, code)
            if found is None or self.places is None:
                return None
            place = self.places.place(conn, alliance_id, store_id)
        return judge(found, bill_fen=0, place=place, at=self.clock.now(), exchange=True)

    def by_code(self, *, alliance_id: str, code: str) -> Coupon | None:
        """The coupon a scanned code names (the counter then judges it for the member in front of it)."""
        with self.database.read() as conn:
            return queries.by_code(conn, alliance_id, code)

    def coupon(self, *, alliance_id: str, coupon_id: str) -> Coupon | None:
        with self.database.read() as conn:
            return queries.coupon(conn, alliance_id, coupon_id)
