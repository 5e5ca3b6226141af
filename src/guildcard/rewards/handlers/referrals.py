"""Referral commands: settings, invitation codes, binding at registration, the trigger, release
after the refund window, claw-back on refund, and the operator's review of flagged referrals.

Rewards go through the ledger from ``platform:grants`` (points) or as coupon gifts; a refund of the
triggering purchase before release cancels them, after release reverses the entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from guildcard.ledger import chart
from guildcard.ledger.reversal import reverse
from guildcard.pipeline import Command, Work
from guildcard.rewards import watching
from guildcard.rewards.domain import coupon_access as access
from guildcard.rewards.domain.coupons import CODE_ALPHABET, ClaimWay, MemberFacts
from guildcard.rewards.domain.referrals import (
    BURST_WINDOW,
    InvitationUnknown,
    ReferralNotAllowed,
    ReferralNotFlagged,
    ReferralSettings,
    ReferralState,
    Trigger,
    check_settings,
    flags_for,
    may_bind,
    month_of,
)
from guildcard.rewards.handlers.base import handlers
from guildcard.rewards.handlers.coupons import CouponCommand, coupon_deps, grant_coupon
from guildcard.rewards.storage.coupons import CouponRepository
from guildcard.rewards.storage.referrals import ReferralRepository, settings_from_dict, settings_to_dict

INVITE_CODE_LENGTH = 8
RELEASE_BATCH = 500


@dataclass(frozen=True)
class ReferralView:
    invitee_id: str
    inviter_id: str
    state: str
    flags: tuple[str, ...]
    inviter_points: int
    invitee_points: int
    bound_at: datetime
    pending_until: datetime | None


def view(row: Any) -> ReferralView:
    return ReferralView(
        row.invitee_id, row.inviter_id, row.state, tuple(row.flags), int(row.inviter_points),
        int(row.invitee_points), row.bound_at, row.pending_until,
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class SetReferralSettings(CouponCommand):
    scope = "rewards.referral_settings"
    settings: ReferralSettings

    def identity(self) -> dict[str, Any]:
        return settings_to_dict(self.settings)


@handlers.register(
    authorize=lambda actor, _c: access.may_manage(actor, None),
    remember=settings_to_dict,
    replay=lambda stored, _work: settings_from_dict(stored),
)
def set_referral_settings(command: SetReferralSettings, work: Work) -> ReferralSettings:
    settings = check_settings(command.settings)
    ReferralRepository(work.connection).save_settings(
        work.alliance_id, settings, actor_id=work.actor.id, now=work.now
    )
    values = settings_to_dict(settings)
    work.audit(
        "rewards.referral_settings",
        object_type="referral_settings",
        object_id=work.alliance_id,
        details=values,
    )
    work.emit("rewards.referral_settings_changed", work.alliance_id, settings=values)
    watching.changed(work)
    return settings


@dataclass(frozen=True, kw_only=True)
class OpenInvitation(Command):
    """The member's invitation code (made the first time they open the invitation page)."""

    scope = "rewards.open_invitation"
    member_id: str


@handlers.register(authorize=lambda actor, c: access.member_self(actor, c.member_id))
def open_invitation(command: OpenInvitation, work: Work) -> str:
    repo = ReferralRepository(work.connection)
    found = repo.invitation_code(work.alliance_id, command.member_id)
    if found is not None:
        return found
    import secrets  # noqa: PLC0415 - only here

    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))
    repo.add_invitation(work.alliance_id, command.member_id, code, work.now)
    return repo.invitation_code(work.alliance_id, command.member_id) or code


@dataclass(frozen=True, kw_only=True)
class BindReferral(Command):
    """A member who just registered through an invitation link is bound to the inviter (once)."""

    scope = "rewards.bind_referral"
    invitee_id: str
    code: str


@handlers.register()
def bind_referral(command: BindReferral, work: Work) -> ReferralView:
    if work.actor.kind.value == "member":
        access.member_self(work.actor, command.invitee_id)
    else:
        access.may_manage(work.actor, None)
    repo = ReferralRepository(work.connection)
    inviter_id = repo.inviter_of_code(work.alliance_id, command.code.strip().upper())
    if inviter_id is None:
        raise InvitationUnknown()
    invitee = _facts(work, command.invitee_id)
    may_bind(
        inviter_id=inviter_id, invitee_id=invitee.member_id, registered_at=invitee.registered_at, now=work.now
    )
    settings = repo.settings(work.alliance_id)
    flags = flags_for(
        recent_bindings=repo.recent_bindings(work.alliance_id, inviter_id, work.now - BURST_WINDOW),
        idle_invitees=repo.idle_invitees(work.alliance_id, inviter_id),
        settings=settings,
    )
    state = ReferralState.FLAGGED if flags else ReferralState.BOUND
    if not repo.bind(
        work.alliance_id, inviter_id=inviter_id, invitee_id=invitee.member_id, state=state,
        flags=[f.value for f in flags], now=work.now,
    ):  # fmt: skip
        raise ReferralNotAllowed("This member already has an inviter.")
    work.emit(
        "rewards.referral_bound", invitee.member_id, inviter_id=inviter_id, flags=[f.value for f in flags]
    )
    if settings.enabled and settings.trigger is Trigger.REGISTRATION and not flags:
        repo.update(work.alliance_id, invitee.member_id, work.now, state=ReferralState.PENDING.value,
                    pending_until=work.now)  # fmt: skip
    watching.changed(work)
    return view(repo.get(work.alliance_id, invitee.member_id))


def on_first_purchase(work: Work, *, member_id: str, purchase_id: str, at: datetime) -> None:
    """Called when a purchase is counted: the invitee's first purchase starts the wait."""
    repo = ReferralRepository(work.connection)
    row = repo.get(work.alliance_id, member_id, for_update=True)
    if row is None or row.purchase_id is not None or row.state not in {"bound", "flagged"}:
        return
    settings = repo.settings(work.alliance_id)
    if not settings.enabled or settings.trigger is not Trigger.FIRST_PURCHASE:
        return
    state = row.state if row.state == ReferralState.FLAGGED.value else ReferralState.PENDING.value
    repo.update(
        work.alliance_id, member_id, work.now, state=state, purchase_id=purchase_id,
        pending_until=at + timedelta(days=settings.hold_days),
    )  # fmt: skip
    watching.changed(work)  # now a refund of it is worth hearing


@dataclass(frozen=True, kw_only=True)
class ReleaseReferralRewards(Command):
    """The job: referrals whose purchase is past its refund window get their rewards (safe to re-run)."""

    scope = "rewards.release_referrals"
    as_of: datetime


@handlers.register()
def release_referral_rewards(command: ReleaseReferralRewards, work: Work) -> int:
    access.may_manage(work.actor, None)
    repo = ReferralRepository(work.connection)
    settings = repo.settings(work.alliance_id)
    released = 0
    for row in repo.due(work.alliance_id, command.as_of, RELEASE_BATCH):
        _reward(work, repo, settings, row)
        released += 1
    return released


def _reward(work: Work, repo: ReferralRepository, settings: ReferralSettings, row: Any) -> None:
    month = month_of(work.now)
    capped = repo.rewarded_in_month(work.alliance_id, row.inviter_id, month) >= settings.monthly_cap
    ledger = coupon_deps(work).ledger.for_command(work)
    entries, coupons = [], []
    inviter_points = 0 if capped else settings.inviter_points
    for member_id, points, template_id in (
        (row.inviter_id, inviter_points, None if capped else settings.inviter_template_id),
        (row.invitee_id, settings.invitee_points, settings.invitee_template_id),
    ):
        if points:
            entry = ledger.award(
                member_id=member_id, issuer=chart.PLATFORM_GRANTS, amount=points, reference=row.invitee_id,
                idempotency_key=f"referral:{row.invitee_id}:{member_id}",
            )  # fmt: skip
            entries.append(entry.entry_id)
        if template_id:
            coupon_id = _gift(work, template_id, member_id, f"referral:{row.invitee_id}")
            if coupon_id:
                coupons.append(coupon_id)
    repo.update(
        work.alliance_id, row.invitee_id, work.now, state=ReferralState.REWARDED.value, rewarded_at=work.now,
        reward_month=month, inviter_points=inviter_points, invitee_points=settings.invitee_points,
        entry_ids=entries, coupon_ids=coupons,
    )  # fmt: skip
    work.emit(
        "rewards.referral_rewarded", row.invitee_id, inviter_id=row.inviter_id, inviter_points=inviter_points,
        invitee_points=settings.invitee_points, capped=capped,
    )  # fmt: skip


def _gift(work: Work, template_id: str, member_id: str, reason: str) -> str | None:
    template = CouponRepository(work.connection).get_template(work.alliance_id, template_id)
    if template is None:
        return None
    savepoint = work.connection.begin_nested()
    try:
        coupon = grant_coupon(
            work,
            template,
            _facts(work, member_id),
            ClaimWay.GIFT,
            claim_key=f"{reason}:{template_id}:{member_id}",
        )
    except Exception:
        savepoint.rollback()
        return None
    savepoint.commit()
    return coupon.coupon_id


def on_refund(work: Work, *, purchase_id: str, refund_id: str) -> None:
    """The triggering purchase was refunded: cancel a pending reward, reverse a given one."""
    repo = ReferralRepository(work.connection)
    row = repo.of_purchase(work.alliance_id, purchase_id)
    if row is None or row.state not in {"pending", "flagged", "rewarded"}:
        return
    if row.state == ReferralState.REWARDED.value:
        ledger = coupon_deps(work).ledger.for_command(work)
        for entry_id in row.entry_ids:
            reverse(
                ledger, entry_id, idempotency_key=f"referral_back:{entry_id}:{refund_id}", reference=refund_id
            )
    repo.update(work.alliance_id, row.invitee_id, work.now, state=ReferralState.CLAWED_BACK.value)
    work.emit("rewards.referral_clawed_back", row.invitee_id, purchase_id=purchase_id, was=row.state)


@dataclass(frozen=True, kw_only=True)
class ReviewReferral(CouponCommand):
    """An operator clears a flagged referral (it waits out its window as usual) or rejects it."""

    scope = "rewards.review_referral"
    invitee_id: str
    approve: bool


@handlers.register(authorize=lambda actor, _c: access.may_manage(actor, None))
def review_referral(command: ReviewReferral, work: Work) -> ReferralView:
    repo = ReferralRepository(work.connection)
    row = repo.get(work.alliance_id, command.invitee_id, for_update=True)
    if row is None or row.state != ReferralState.FLAGGED.value:
        raise ReferralNotFlagged(invitee_id=command.invitee_id)
    if not command.approve:
        state = ReferralState.REJECTED
    else:
        state = ReferralState.PENDING if row.purchase_id is not None else ReferralState.BOUND
    repo.update(work.alliance_id, row.invitee_id, work.now, state=state.value)
    work.audit(
        "rewards.review_referral", object_type="referral", object_id=row.invitee_id,
        details={"approve": command.approve, "flags": list(row.flags)},
    )  # fmt: skip
    return view(repo.get(work.alliance_id, row.invitee_id))


def _facts(work: Work, member_id: str) -> MemberFacts:
    return coupon_deps(work).ports.members.facts(work.connection, work.alliance_id, member_id)
