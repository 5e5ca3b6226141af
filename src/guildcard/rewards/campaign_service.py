"""Reward campaigns and referrals for the entry points, the jobs and the demo.

Writes are commands on the bus (``handlers/campaigns.py``, ``handlers/referrals.py``); purchases,
refunds and registrations reach them through ``campaign_events.RewardsListener`` after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guildcard.db.engine import Database
from guildcard.kernel.actors import Actor, system_actor
from guildcard.kernel.clock import Clock
from guildcard.pipeline import CommandBus
from guildcard.rewards.domain.campaigns import CampaignKind, RewardCampaign, period_of
from guildcard.rewards.domain.referrals import ReferralSettings
from guildcard.rewards.handlers.campaigns import (
    ClaimBirthdayGift,
    CountPurchase,
    CreateRewardCampaign,
    EndRewardCampaign,
    Reward,
)
from guildcard.rewards.handlers.referrals import (
    BindReferral,
    OpenInvitation,
    ReferralView,
    ReleaseReferralRewards,
    ReviewReferral,
    SetReferralSettings,
    view,
)
from guildcard.rewards.storage.campaigns import CampaignRepository
from guildcard.rewards.storage.referrals import ReferralRepository


@dataclass(frozen=True)
class BirthdayGift:
    """A running birthday campaign as one member sees it: this year's gift, given or not yet."""

    campaign: RewardCampaign
    year: str  # the period the gift is given once in (the Shanghai year)
    given_at: datetime | None
    points: int  # the points given this year (0 before, or when the budget had run out)
    coupon_id: str | None


class CampaignService:
    def __init__(self, database: Database, clock: Clock, bus: CommandBus) -> None:
        self.database = database
        self.clock = clock
        self.bus = bus

    # --- campaigns ---------------------------------------------------------------------------

    def create(self, actor: Actor, *, idempotency_key: str, **fields: Any) -> RewardCampaign:
        for name in ("merchant_ids", "trades"):
            if name in fields:
                fields[name] = frozenset(fields[name])
        value: RewardCampaign = self.bus.execute(
            actor, CreateRewardCampaign(idempotency_key=idempotency_key, **fields)
        ).value
        return value

    def end(self, actor: Actor, *, campaign_id: str, idempotency_key: str) -> RewardCampaign:
        value: RewardCampaign = self.bus.execute(
            actor, EndRewardCampaign(campaign_id=campaign_id, idempotency_key=idempotency_key)
        ).value
        return value

    def birthday_gift(self, actor: Actor) -> list[Reward]:
        value: list[Reward] = self.bus.execute(actor, ClaimBirthdayGift(member_id=actor.id)).value
        return value

    def birthday_gifts(self, *, alliance_id: str, member_id: str) -> list[BirthdayGift]:
        """The alliance's running birthday campaigns and whether the member got this year's gift."""
        now = self.clock.now()
        with self.database.read() as conn:
            repo = CampaignRepository(conn)
            found = repo.all(alliance_id, kinds=(CampaignKind.BIRTHDAY,))
            campaigns = [c for c in found if c.running_at(now)]
            grants = {(g.campaign_id, g.period): g for g in repo.grants_of(alliance_id, member_id)}
        gifts = []
        for c in campaigns:
            year = period_of(c, now)
            g = grants.get((c.campaign_id, year))
            if g is None:
                gifts.append(BirthdayGift(c, year, None, 0, None))
            else:
                gifts.append(BirthdayGift(c, year, g.granted_at, int(g.points), g.coupon_id))
        return gifts

    def count_purchase(self, alliance_id: str, **purchase: Any) -> list[Reward]:
        """What the purchase listener runs (tests and the demo may run it directly)."""
        value: list[Reward] = self.bus.execute(
            system_actor(alliance_id, "rewards"), CountPurchase(**purchase)
        ).value
        return value

    def campaigns(self, *, alliance_id: str) -> list[RewardCampaign]:
        with self.database.read() as conn:
            return CampaignRepository(conn).all(alliance_id)

    def campaign(self, *, alliance_id: str, campaign_id: str) -> RewardCampaign | None:
        with self.database.read() as conn:
            return CampaignRepository(conn).get(alliance_id, campaign_id)

    def stamp_cards(
        self, *, alliance_id: str, member_id: str
    ) -> list[tuple[RewardCampaign, list[str], bool]]:
        """The member's stamp trails: each campaign, the stamps collected, and whether it is complete."""
        with self.database.read() as conn:
            repo = CampaignRepository(conn)
            progress = repo.member_progress(alliance_id, member_id)
            done = {g.campaign_id for g in repo.grants_of(alliance_id, member_id)}
            trails = [c for c in repo.all(alliance_id) if c.kind.value == "stamp_trail"]
        now = self.clock.now()
        cards = []
        for c in trails:
            row = progress.get(c.campaign_id)
            stamps = [s[0] for s in row.stamps] if row is not None else []
            if c.running_at(now) or stamps:
                cards.append((c, stamps, c.campaign_id in done))
        return cards

    def grant_counts(self, *, alliance_id: str) -> dict[str, int]:
        with self.database.read() as conn:
            return CampaignRepository(conn).grant_counts(alliance_id)

    # --- referrals ---------------------------------------------------------------------------

    def set_referral_settings(
        self, actor: Actor, settings: ReferralSettings, *, idempotency_key: str
    ) -> ReferralSettings:
        value: ReferralSettings = self.bus.execute(
            actor, SetReferralSettings(settings=settings, idempotency_key=idempotency_key)
        ).value
        return value

    def referral_settings(self, *, alliance_id: str) -> ReferralSettings:
        with self.database.read() as conn:
            return ReferralRepository(conn).settings(alliance_id)

    def invitation(self, actor: Actor) -> str:
        value: str = self.bus.execute(actor, OpenInvitation(member_id=actor.id)).value
        return value

    def bind(self, actor: Actor, *, invitee_id: str, code: str) -> ReferralView:
        value: ReferralView = self.bus.execute(actor, BindReferral(invitee_id=invitee_id, code=code)).value
        return value

    def release_referrals(self, alliance_id: str, *, as_of: datetime | None = None) -> int:
        command = ReleaseReferralRewards(as_of=as_of or self.clock.now())
        value: int = self.bus.execute(system_actor(alliance_id, "rewards"), command).value
        return value

    def review(self, actor: Actor, *, invitee_id: str, approve: bool, idempotency_key: str) -> ReferralView:
        command = ReviewReferral(invitee_id=invitee_id, approve=approve, idempotency_key=idempotency_key)
        value: ReferralView = self.bus.execute(actor, command).value
        return value

    def referral(self, *, alliance_id: str, invitee_id: str) -> ReferralView | None:
        with self.database.read() as conn:
            row = ReferralRepository(conn).get(alliance_id, invitee_id)
        return view(row) if row is not None else None

    def invitees(self, *, alliance_id: str, inviter_id: str) -> list[ReferralView]:
        with self.database.read() as conn:
            return [view(r) for r in ReferralRepository(conn).of_inviter(alliance_id, inviter_id)]

    def flagged(self, *, alliance_id: str) -> list[ReferralView]:
        with self.database.read() as conn:
            return [view(r) for r in ReferralRepository(conn).flagged(alliance_id)]

    def referral_counts(self, *, alliance_id: str) -> dict[str, int]:
        with self.database.read() as conn:
            return ReferralRepository(conn).counts(alliance_id)
