"""Referral tables: settings per alliance, invitation codes, one referral per invitee."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table, UniqueConstraint

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

referral_settings = Table(
    "rewards_referral_settings",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("trigger", String(24), nullable=False),
    Column("inviter_points", BigInteger, nullable=False),
    Column("invitee_points", BigInteger, nullable=False),
    Column("inviter_template_id", String(40), nullable=True),
    Column("invitee_template_id", String(40), nullable=True),
    Column("hold_days", Integer, nullable=False),
    Column("monthly_cap", Integer, nullable=False),
    Column("burst_count", Integer, nullable=False),
    Column("idle_count", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(40), nullable=False),
)

invitations = Table(
    "rewards_invitations",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("code", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("alliance_id", "code", name="uq_rewards_invitations_code"),
)

# The primary key (alliance, invitee) is the rule "one inviter per member".
referrals = Table(
    "rewards_referrals",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("invitee_id", String(40), primary_key=True),
    Column("inviter_id", String(40), nullable=False),
    Column("bound_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("flags", JSON, nullable=False),
    Column("purchase_id", String(40), nullable=True),
    Column("pending_until", UtcDateTime, nullable=True),
    Column("rewarded_at", UtcDateTime, nullable=True),
    Column("reward_month", String(7), nullable=True),
    Column("inviter_points", BigInteger, nullable=False),
    Column("invitee_points", BigInteger, nullable=False),
    Column("entry_ids", JSON, nullable=False),
    Column("coupon_ids", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_rewards_referrals_inviter", "alliance_id", "inviter_id", "bound_at"),
    Index("ix_rewards_referrals_due", "alliance_id", "state", "pending_until"),
    Index("ix_rewards_referrals_purchase", "alliance_id", "purchase_id"),
)
