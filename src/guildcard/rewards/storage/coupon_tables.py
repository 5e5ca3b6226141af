"""Coupon tables. Every key is led by ``alliance_id``; rules are kept as JSON snapshots."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table, UniqueConstraint

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

coupon_templates = Table(
    "rewards_coupon_templates",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("template_id", String(40), primary_key=True),
    Column("issuer_merchant_id", String(40), nullable=True),  # None: the alliance
    Column("name", String(60), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("rules", JSON, nullable=False),  # CouponRules, as issued coupons snapshot it
    Column("total", BigInteger, nullable=False),  # -1: unlimited
    Column("per_member_limit", Integer, nullable=False),  # -1: unlimited
    Column("claim_from", UtcDateTime, nullable=True),
    Column("claim_until", UtcDateTime, nullable=True),
    Column("use_from", UtcDateTime, nullable=True),
    Column("use_until", UtcDateTime, nullable=True),
    Column("valid_days", Integer, nullable=True),
    Column("audience", String(16), nullable=False),
    Column("tiers", JSON, nullable=False),
    Column("ways", JSON, nullable=False),
    Column("points_price", BigInteger, nullable=False),
    Column("description", String(400), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("taken", BigInteger, nullable=False),  # claimed so far (conditional update: never > total)
    Column("used", BigInteger, nullable=False),
    Column("cost_fen", BigInteger, nullable=False),  # discounts given with it so far
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
    Index("ix_rewards_coupon_templates_issuer", "alliance_id", "issuer_merchant_id"),
)

# How many of a template each member has claimed: the per-member limit is a conditional upsert.
coupon_holdings = Table(
    "rewards_coupon_holdings",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("template_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("taken", Integer, nullable=False),
)

coupons = Table(
    "rewards_coupons",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("coupon_id", String(40), primary_key=True),
    Column("code", String(24), nullable=False),
    Column("template_id", String(40), nullable=False),
    Column("member_id", String(40), nullable=False),
    Column("rules", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("origin", String(16), nullable=False),
    # Makes a gift or a bulk issue idempotent per member: "issue:{job}:{member}", "gift:{campaign}:..."
    Column("claim_key", String(160), nullable=True),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("from_coupon_id", String(40), nullable=True),  # a transfer: the friend's coupon
    Column("purchase_id", String(40), nullable=True),
    Column("used_at", UtcDateTime, nullable=True),
    Column("used_merchant_id", String(40), nullable=True),
    Column("used_store_id", String(40), nullable=True),
    Column("discount_fen", BigInteger, nullable=False),
    Column("funding_entry_id", String(40), nullable=True),
    Column("points_entry_id", String(40), nullable=True),  # bought with points
    UniqueConstraint("alliance_id", "code", name="uq_rewards_coupons_code"),
    UniqueConstraint("alliance_id", "claim_key", name="uq_rewards_coupons_claim_key"),
    Index("ix_rewards_coupons_member", "alliance_id", "member_id", "state"),
    Index("ix_rewards_coupons_template", "alliance_id", "template_id"),
    Index("ix_rewards_coupons_purchase", "alliance_id", "purchase_id"),
)

# A bulk issue by staff or operators: the member list, and how far it has gone.
coupon_issue_jobs = Table(
    "rewards_coupon_issue_jobs",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("job_id", String(40), primary_key=True),
    Column("template_id", String(40), nullable=False),
    Column("member_ids", JSON, nullable=False),
    Column("done", Integer, nullable=False),  # members handled (issued or skipped)
    Column("issued", Integer, nullable=False),
    Column("skipped", JSON, nullable=False),  # [[member_id, error code], ...]
    Column("state", String(16), nullable=False),  # running / finished
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
