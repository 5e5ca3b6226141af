"""Referrals (邀请有礼): an invitation code per member, a binding at registration, rewards that wait
out the refund window, claw-back on refund, a monthly cap per inviter, and flags for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from guildcard.kernel.clock import business_date
from guildcard.kernel.errors import Conflict, InvalidInput, NotFound, RuleViolation

BIND_WINDOW = timedelta(hours=1)  # a member binds to an inviter only right after registering
BURST_WINDOW = timedelta(minutes=10)


class Trigger(StrEnum):
    REGISTRATION = "registration"
    FIRST_PURCHASE = "first_purchase"


class ReferralState(StrEnum):
    BOUND = "bound"  # waiting for the trigger (the invitee's first purchase)
    PENDING = "pending"  # triggered; rewards wait until the purchase is past its refund window
    FLAGGED = "flagged"  # held for an operator's review
    REWARDED = "rewarded"
    CLAWED_BACK = "clawed_back"  # the triggering purchase was refunded
    REJECTED = "rejected"  # an operator refused it


class Flag(StrEnum):
    BURST = "burst"  # many invitees bound to one inviter within minutes
    IDLE_INVITEES = "idle_invitees"  # one inviter with dozens of invitees who never buy


class ReferralInvalid(InvalidInput):
    """The referral settings are not valid."""

    code = "rewards.referral_invalid"


class InvitationUnknown(NotFound):
    """No such invitation."""

    code = "rewards.invitation_not_found"


class ReferralNotAllowed(RuleViolation):
    """This member cannot be bound to an inviter."""

    code = "rewards.referral_not_allowed"


class ReferralNotFlagged(Conflict):
    """This referral is not waiting for a review."""

    code = "rewards.referral_not_flagged"


@dataclass(frozen=True, kw_only=True)
class ReferralSettings:
    enabled: bool = False
    trigger: Trigger = Trigger.FIRST_PURCHASE
    inviter_points: int = 0
    invitee_points: int = 0
    inviter_template_id: str | None = None
    invitee_template_id: str | None = None
    hold_days: int = 7  # the refund window the reward waits out
    monthly_cap: int = 20  # rewarded invitations per inviter and month (Shanghai)
    burst_count: int = 5  # this many bindings within BURST_WINDOW flag the next ones
    idle_count: int = 30  # this many invitees without a purchase flag the next ones


def check_settings(s: ReferralSettings) -> ReferralSettings:
    def need(ok: bool, name: str, what: str) -> None:
        if not ok:
            raise ReferralInvalid(f"{name}: expected {what}", field=name)

    need(s.inviter_points >= 0 and s.invitee_points >= 0, "inviter_points", "points of zero or more")
    need(0 <= s.hold_days <= 90, "hold_days", "0 to 90 days")
    need(s.monthly_cap >= 1, "monthly_cap", "a cap of one or more")
    need(s.burst_count >= 2 and s.idle_count >= 2, "burst_count", "thresholds of two or more")
    return s


def flags_for(*, recent_bindings: int, idle_invitees: int, settings: ReferralSettings) -> list[Flag]:
    found = []
    if recent_bindings >= settings.burst_count:
        found.append(Flag.BURST)
    if idle_invitees >= settings.idle_count:
        found.append(Flag.IDLE_INVITEES)
    return found


def may_bind(*, inviter_id: str, invitee_id: str, registered_at: datetime, now: datetime) -> None:
    if inviter_id == invitee_id:
        raise ReferralNotAllowed("You cannot invite yourself.")
    if now - registered_at > BIND_WINDOW:
        raise ReferralNotAllowed("An inviter is bound at registration only.")


def month_of(at: datetime) -> str:
    return business_date(at).strftime("%Y-%m")
