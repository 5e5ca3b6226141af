"""Reward campaign commands: create and end, registration and birthday gifts, purchases counted
towards spend thresholds (满额送) and the cross-trade stamp trail (跨业态打卡).

A reward is a unique row per (campaign, member, period), so hearing an event twice gives once;
its points come from ``platform:grants`` (or the funding merchant's ``issued`` account) through
the ledger, after the budget has been taken by a conditional update in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.ids import new_id
from guildcard.ledger import chart
from guildcard.pipeline import Command, Work
from guildcard.rewards import watching
from guildcard.rewards.domain import coupon_access as access
from guildcard.rewards.domain.campaigns import (
    BirthdayRule,
    CampaignKind,
    RewardCampaign,
    RewardCampaignEnded,
    RewardCampaignNotFound,
    check_campaign,
    is_birthday,
    period_of,
    points_to_give,
    spend_counts,
    stamp_for,
)
from guildcard.rewards.domain.coupons import ClaimWay, MemberFacts
from guildcard.rewards.handlers import referrals
from guildcard.rewards.handlers.base import handlers
from guildcard.rewards.handlers.coupons import CouponCommand, coupon_deps, grant_coupon
from guildcard.rewards.storage.campaigns import CampaignRepository, campaign_from_dict, campaign_to_dict
from guildcard.rewards.storage.coupons import CouponRepository

_CAMPAIGN_CODEC: dict[str, Any] = {
    "remember": campaign_to_dict,
    "replay": lambda stored, _work: campaign_from_dict(stored),
}


@dataclass(frozen=True)
class Reward:
    """What a campaign gave a member (``budget_out``: the budget had run out, no points)."""

    campaign_id: str
    member_id: str
    period: str
    points: int
    coupon_id: str | None
    budget_out: bool = False


@dataclass(frozen=True, kw_only=True)
class CreateRewardCampaign(CouponCommand):
    scope = "rewards.create_campaign"
    name: str
    kind: CampaignKind
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    points: int = 0
    coupon_template_id: str | None = None
    funding_merchant_id: str | None = None
    budget_points: int | None = None
    member_cap_points: int | None = None
    threshold_fen: int = 0
    merchant_ids: frozenset[str] = frozenset()
    stamps_needed: int = 0
    trades: frozenset[str] = frozenset()
    birthday_rule: BirthdayRule = BirthdayRule.MONTH


@handlers.register(authorize=lambda actor, _c: access.may_manage(actor, None), **_CAMPAIGN_CODEC)
def create_reward_campaign(command: CreateRewardCampaign, work: Work) -> RewardCampaign:
    """An operator starts a reward campaign (the alliance's to fund, or a named merchant's)."""
    fields = {k: v for k, v in command.identity().items() if k in RewardCampaign.__dataclass_fields__}
    fields |= {"starts_at": command.starts_at, "ends_at": command.ends_at}
    fields |= {"merchant_ids": frozenset(command.merchant_ids), "trades": frozenset(command.trades)}
    fields |= {"kind": CampaignKind(command.kind), "birthday_rule": BirthdayRule(command.birthday_rule)}
    campaign = check_campaign(RewardCampaign(campaign_id=new_id("rcp"), **fields))
    if campaign.coupon_template_id is not None and (
        CouponRepository(work.connection).get_template(work.alliance_id, campaign.coupon_template_id) is None
    ):
        raise RewardCampaignNotFound("No such coupon to give.", template_id=campaign.coupon_template_id)
    CampaignRepository(work.connection).add(work.alliance_id, campaign, actor_id=work.actor.id, now=work.now)
    values = campaign_to_dict(campaign)
    work.audit(
        "rewards.create_campaign",
        object_type="reward_campaign",
        object_id=campaign.campaign_id,
        details=values,
    )
    work.emit("rewards.campaign_started", campaign.campaign_id, campaign=values)
    watching.changed(work)
    return campaign


@dataclass(frozen=True, kw_only=True)
class EndRewardCampaign(CouponCommand):
    scope = "rewards.end_campaign"
    campaign_id: str


@handlers.register(authorize=lambda actor, _c: access.may_manage(actor, None), **_CAMPAIGN_CODEC)
def end_reward_campaign(command: EndRewardCampaign, work: Work) -> RewardCampaign:
    repo = CampaignRepository(work.connection)
    campaign = repo.get(work.alliance_id, command.campaign_id)
    if campaign is None:
        raise RewardCampaignNotFound(campaign_id=command.campaign_id)
    if not campaign.running_at(work.now) and not campaign.active:
        raise RewardCampaignEnded(campaign_id=command.campaign_id)
    repo.end(work.alliance_id, campaign.campaign_id, work.now)
    work.audit("rewards.end_campaign", object_type="reward_campaign", object_id=campaign.campaign_id)
    work.emit("rewards.campaign_ended", campaign.campaign_id)
    watching.changed(work)
    found = repo.get(work.alliance_id, campaign.campaign_id)
    assert found is not None
    return found


# --- giving a reward -------------------------------------------------------------------------


def give_reward(work: Work, campaign: RewardCampaign, member: MemberFacts, period: str) -> Reward | None:
    """The campaign's reward for ``member`` in ``period``, once; None when given before."""
    repo = CampaignRepository(work.connection)
    if not repo.claim_grant(work.alliance_id, campaign.campaign_id, member.member_id, period, work.now):
        return None
    progress = repo.lock_member(work.alliance_id, campaign.campaign_id, member.member_id, work.now)
    points = points_to_give(campaign, int(progress.points_given))
    budget_out = False
    if points and not repo.consume_budget(work.alliance_id, campaign, points):
        points, budget_out = 0, True
    elif not points:
        repo.count_reward(work.alliance_id, campaign)
    entry_id = None
    if points:
        issuer = (
            chart.PLATFORM_GRANTS
            if campaign.funding_merchant_id is None
            else chart.merchant_issued(campaign.funding_merchant_id)
        )
        entry = coupon_deps(work).ledger.for_command(work).award(
            member_id=member.member_id, issuer=issuer, amount=points, reference=campaign.campaign_id,
            idempotency_key=f"campaign:{campaign.campaign_id}:{member.member_id}:{period}",
        )  # fmt: skip
        entry_id = entry.entry_id
        repo.save_member(
            work.alliance_id, campaign.campaign_id, member.member_id, spent_fen=int(progress.spent_fen),
            stamps=list(progress.stamps), points_given=int(progress.points_given) + points, now=work.now,
        )  # fmt: skip
    coupon_id = _gift_coupon(work, campaign, member, period)
    repo.finish_grant(
        work.alliance_id, campaign.campaign_id, member.member_id, period, points=points, entry_id=entry_id,
        coupon_id=coupon_id, budget_out=budget_out,
    )  # fmt: skip
    work.emit(
        "rewards.campaign_reward_given", campaign.campaign_id, member_id=member.member_id, period=period,
        points=points, coupon_id=coupon_id, budget_out=budget_out, kind=campaign.kind.value,
    )  # fmt: skip
    return Reward(campaign.campaign_id, member.member_id, period, points, coupon_id, budget_out)


def _gift_coupon(work: Work, campaign: RewardCampaign, member: MemberFacts, period: str) -> str | None:
    if campaign.coupon_template_id is None:
        return None
    template = CouponRepository(work.connection).get_template(work.alliance_id, campaign.coupon_template_id)
    if template is None:
        return None
    savepoint = work.connection.begin_nested()
    events = len(work.events)
    try:
        coupon = grant_coupon(
            work, template, member, ClaimWay.GIFT,
            claim_key=f"campaign:{campaign.campaign_id}:{member.member_id}:{period}",
        )  # fmt: skip
    except GuildCardError:  # sold out, limit: the points (if any) are still given
        savepoint.rollback()
        del work.events[events:]
        return None
    savepoint.commit()
    return coupon.coupon_id


def _facts(work: Work, member_id: str) -> MemberFacts:
    return coupon_deps(work).ports.members.facts(work.connection, work.alliance_id, member_id)


def _running(work: Work, *kinds: CampaignKind) -> list[RewardCampaign]:
    found = CampaignRepository(work.connection).all(work.alliance_id, kinds=kinds)
    return [c for c in found if c.running_at(work.now)]


# --- gifts -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GiveRegistrationGifts(Command):
    """A member registered: every running registration campaign gives its gift (once)."""

    scope = "rewards.registration_gifts"
    member_id: str


@handlers.register()
def give_registration_gifts(command: GiveRegistrationGifts, work: Work) -> list[Reward]:
    access.may_manage(work.actor, None)
    campaigns = _running(work, CampaignKind.REGISTRATION)
    if not campaigns:
        return []
    member = _facts(work, command.member_id)
    given = [give_reward(work, c, member, period_of(c, work.now)) for c in campaigns]
    return [r for r in given if r is not None]


@dataclass(frozen=True, kw_only=True)
class ClaimBirthdayGift(Command):
    """The member opens their card in their birthday month (or on the day): the gift, once a year."""

    scope = "rewards.birthday_gift"
    member_id: str


@handlers.register(authorize=lambda actor, c: access.member_self(actor, c.member_id))
def claim_birthday_gift(command: ClaimBirthdayGift, work: Work) -> list[Reward]:
    campaigns = _running(work, CampaignKind.BIRTHDAY)
    if not campaigns:
        return []
    member = _facts(work, command.member_id)
    given = [
        give_reward(work, c, member, period_of(c, work.now))
        for c in campaigns
        if is_birthday(c.birthday_rule, member.birthday, work.now)
    ]
    return [r for r in given if r is not None]


# --- purchases: spend thresholds and the stamp trail ----------------------------------------


@dataclass(frozen=True, kw_only=True)
class CountPurchase(Command):
    """A purchase was recorded: count it towards running spend-threshold and stamp-trail campaigns."""

    scope = "rewards.count_purchase"
    purchase_id: str
    member_id: str
    merchant_id: str
    store_id: str
    payable_fen: int
    occurred_at: datetime


@handlers.register()
def count_purchase(command: CountPurchase, work: Work) -> list[Reward]:
    access.may_manage(work.actor, None)
    at = command.occurred_at
    repo = CampaignRepository(work.connection)
    if not repo.count_purchase(work.alliance_id, command.purchase_id, work.now):
        return []  # heard before
    referrals.on_first_purchase(work, member_id=command.member_id, purchase_id=command.purchase_id, at=at)
    kinds = (CampaignKind.SPEND_THRESHOLD, CampaignKind.STAMP_TRAIL)
    campaigns = [c for c in repo.all(work.alliance_id, kinds=kinds) if c.running_at(at)]
    if not campaigns:
        return []
    places = coupon_deps(work).ports.places
    trade = places.place(work.connection, work.alliance_id, command.store_id).trade if places else ""
    rewards = []
    for campaign in campaigns:
        if _progress(work, campaign, command, trade):
            reward = give_reward(work, campaign, _facts(work, command.member_id), period_of(campaign, at))
            if reward is not None:
                rewards.append(reward)
    return rewards


@dataclass(frozen=True, kw_only=True)
class CountRefund(Command):
    """A purchase was refunded: a referral it triggered is cancelled or clawed back."""

    scope = "rewards.count_refund"
    purchase_id: str
    refund_id: str


@handlers.register()
def count_refund(command: CountRefund, work: Work) -> None:
    access.may_manage(work.actor, None)
    referrals.on_refund(work, purchase_id=command.purchase_id, refund_id=command.refund_id)


def _progress(work: Work, c: RewardCampaign, p: CountPurchase, trade: str) -> bool:
    """Add the purchase to the member's progress; True when the campaign's goal is now reached."""
    repo = CampaignRepository(work.connection)
    row = repo.lock_member(work.alliance_id, c.campaign_id, p.member_id, work.now)
    spent, stamps = int(row.spent_fen), [list(s) for s in row.stamps]
    if c.kind is CampaignKind.SPEND_THRESHOLD:
        if not spend_counts(c, p.merchant_id):
            return False
        spent += p.payable_fen
    else:
        stamp = stamp_for(c, merchant_id=p.merchant_id, trade=trade)
        if stamp is None or any(s[0] == stamp for s in stamps):
            return False
        stamps.append([stamp, p.purchase_id, p.occurred_at.isoformat()])
    repo.save_member(
        work.alliance_id, c.campaign_id, p.member_id, spent_fen=spent, stamps=stamps,
        points_given=int(row.points_given), now=work.now,
    )  # fmt: skip
    if c.kind is CampaignKind.SPEND_THRESHOLD:
        return spent >= c.threshold_fen
    return len(stamps) >= c.stamps_needed
