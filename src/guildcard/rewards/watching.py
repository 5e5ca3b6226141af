"""What an alliance has running that registrations, purchases and refunds could reward, per process.

The after-commit listener asks before running a command per event, so an alliance without such
campaigns or referrals pays nothing at the counter. The answer is a ``VersionedCache`` on the
alliance's ``rewards`` version: every command that could turn an answer from no to yes (a campaign
started or ended, referral settings changed, a referral bound, an invitee's first purchase starting
the refund wait, a lottery granting draws per purchase) calls ``changed`` in its own transaction,
so the next event heard in any process sees it. Changes that turn a yes into a no (a referral
released or clawed back) need not bump: a stale yes only runs a command that finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.pipeline import versions
from guildcard.pipeline.versions import Topic, VersionedCache
from guildcard.pipeline.work import Work
from guildcard.rewards.domain.campaigns import CampaignKind
from guildcard.rewards.storage.campaigns import CampaignRepository
from guildcard.rewards.storage.lottery_repository import LotteryRepository
from guildcard.rewards.storage.referrals import ReferralRepository

_PURCHASE_KINDS = (CampaignKind.SPEND_THRESHOLD, CampaignKind.STAMP_TRAIL)


@dataclass(frozen=True)
class Watching:
    registrations: bool  # an active registration gift
    purchases: bool  # a purchase campaign, or an invitee yet to make the purchase that triggers a referral
    refunds: bool  # a referral whose triggering purchase could still be refunded
    # lottery campaigns granting draws per purchase: (starts_at, ends_at, the purchase's minimum in fen)
    draw_windows: tuple[tuple[datetime, datetime, int], ...] = ()

    def earns_draws(self, at: datetime, payable_fen: int) -> bool:
        return any(start <= at < end and payable_fen >= minimum for start, end, minimum in self.draw_windows)


def load(conn: Connection, alliance_id: str) -> Watching:
    campaigns = CampaignRepository(conn).all(alliance_id, kinds=(CampaignKind.REGISTRATION, *_PURCHASE_KINDS))
    referrals = ReferralRepository(conn)
    return Watching(
        registrations=any(c.active and c.kind is CampaignKind.REGISTRATION for c in campaigns),
        purchases=any(c.active and c.kind in _PURCHASE_KINDS for c in campaigns)
        or (referrals.settings(alliance_id).enabled and referrals.any_in(alliance_id, ("bound", "flagged"))),
        refunds=referrals.any_in(alliance_id, ("pending", "rewarded")),
        draw_windows=tuple(
            (c.starts_at, c.ends_at, c.purchase_min_fen)
            for c in LotteryRepository(conn, alliance_id).campaigns()
            if c.draws_per_purchase > 0
        ),
    )


def watching_cache() -> VersionedCache[Watching]:
    return VersionedCache(Topic.REWARDS, load)


def changed(work: Work) -> None:
    """Mark the alliance's rewards configuration changed (in the command's transaction)."""
    versions.bump(work.connection, work.alliance_id, Topic.REWARDS)
