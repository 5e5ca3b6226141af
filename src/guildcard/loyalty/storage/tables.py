"""Loyalty tables. Every key is led by ``alliance_id``; rates are exact decimal strings."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table, false

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

# Decimals are stored as their exact text: SQLite has no exact decimal type.
DECIMAL_TEXT = 32

loyalty_settings = Table(
    "loyalty_settings",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("redeem_points_per_yuan", Integer, nullable=False),
    Column("max_redeem_share", String(DECIMAL_TEXT), nullable=False),
    Column("min_order_for_redeem_fen", BigInteger, nullable=False),
    Column("only_members_earn", Boolean, nullable=False),
    Column("pending_days", Integer, nullable=False),
    Column("growth_per_yuan", String(DECIMAL_TEXT), nullable=False),
    Column("min_points_per_yuan", String(DECIMAL_TEXT), nullable=False),
    Column("max_points_per_yuan", String(DECIMAL_TEXT), nullable=False),
    Column("max_category_multiplier", String(DECIMAL_TEXT), nullable=False),
    Column("transaction_cap", BigInteger, nullable=True),
    Column("daily_cap", BigInteger, nullable=True),
    Column("backfill_window_days", Integer, nullable=False),
    Column("backfill_approval_threshold_fen", BigInteger, nullable=False),
    Column("refund_cash_for_spent_points", Boolean, nullable=False, server_default=false()),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(40), nullable=True),
)

# One row per (merchant, effective_from): old rows stay, so the rules in force at any
# past moment can be read back (backfill, refunds, disputes).
loyalty_merchant_rules = Table(
    "loyalty_merchant_rules",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("merchant_id", String(40), primary_key=True),
    Column("effective_from", UtcDateTime, primary_key=True),
    Column("category_multipliers", JSON, nullable=False),  # {"drinks": "3"}
    Column("transaction_cap", BigInteger, nullable=True),
    Column("daily_cap", BigInteger, nullable=True),
    Column("min_amount_fen", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
)

loyalty_campaigns = Table(
    "loyalty_campaigns",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("campaign_id", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("multiplier", String(DECIMAL_TEXT), nullable=False),
    Column("starts_at", UtcDateTime, nullable=True),
    Column("ends_at", UtcDateTime, nullable=True),
    Column("weekdays", JSON, nullable=False),  # [3]: every Wednesday; []: every day
    Column("time_from", String(8), nullable=True),  # "18:00", Asia/Shanghai
    Column("time_to", String(8), nullable=True),
    Column("merchant_ids", JSON, nullable=False),
    Column("trade_categories", JSON, nullable=False),
    Column("members_only", Boolean, nullable=False),
    Column("budget_points", BigInteger, nullable=True),  # the most extra points in all; NULL: none
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("ended_by", String(40), nullable=True),
    Index("ix_loyalty_campaigns_alliance_id_ends_at", "alliance_id", "ends_at"),
)

# What a campaign's budget has given so far: one hot row per budgeted campaign, apart from the
# campaign's own (cached) row. The counter locks it and adds to it in the purchase's transaction.
loyalty_campaign_budgets = Table(
    "loyalty_campaign_budgets",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("campaign_id", String(40), primary_key=True),
    Column("used_points", BigInteger, nullable=False),
    Column("purchases", Integer, nullable=False),  # purchases that took from it
)

# --- tiers (等级) ----------------------------------------------------------------------------

# The alliance's tier design (tiers and rules) as one JSON document; ``version`` counts changes.
loyalty_tier_schemes = Table(
    "loyalty_tier_schemes",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("scheme", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(40), nullable=True),
)

# What each member holds; no row = the base tier. ``tier`` is the highest live claim.
loyalty_member_tiers = Table(
    "loyalty_member_tiers",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("growth_tier", String(32), nullable=False),
    Column("tier", String(32), nullable=False),
    Column("since", UtcDateTime, nullable=False),
    Column("promoted_by", String(40), nullable=True),
    Column("grace_until", UtcDateTime, nullable=True),
    Column("floor_tier", String(32), nullable=True),
    Column("floor_ends_at", UtcDateTime, nullable=True),
    Column("floor_reason", String(200), nullable=False),
    Column("card_tier", String(32), nullable=True),
    Column("card_ends_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_loyalty_member_tiers_alliance_id_tier", "alliance_id", "tier"),
)

# Every change of a member's tier, with its reason (append-only).
loyalty_tier_log = Table(
    "loyalty_tier_log",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("from_tier", String(32), nullable=False),
    Column("to_tier", String(32), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("reference", String(60), nullable=True),
    Column("note", String(200), nullable=False),
    Column("actor_id", String(40), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_loyalty_tier_log_alliance_id_member_id_at", "alliance_id", "member_id", "at"),
)

# Upgrade gift packs given: once per (member, tier), never again on a re-upgrade.
loyalty_tier_gifts = Table(
    "loyalty_tier_gifts",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("tier_code", String(32), primary_key=True),
    Column("points", BigInteger, nullable=False),
    Column("entry_id", String(40), nullable=True),
    Column("given_at", UtcDateTime, nullable=False),
)

# --- stored value (储值) -----------------------------------------------------------------------
# The money is the ledger's (``member:{id}:wallet`` principal, ``member:{id}:wallet_bonus``);
# these rows say which top-up (lot) each fen came from and which payments drew on which lot.

loyalty_wallet_settings = Table(
    "loyalty_wallet_settings",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("spend_order", String(16), nullable=False),
    Column("earn_on", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

loyalty_topup_packages = Table(
    "loyalty_topup_packages",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("package_id", String(40), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("pay_fen", BigInteger, nullable=False),
    Column("bonus_fen", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

loyalty_wallet_lots = Table(
    "loyalty_wallet_lots",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("lot_id", String(40), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("merchant_id", String(40), nullable=False),  # who collected the money
    Column("store_id", String(40), nullable=True),
    Column("package_id", String(40), nullable=True),
    Column("principal", BigInteger, nullable=False),
    Column("bonus", BigInteger, nullable=False),
    Column("principal_left", BigInteger, nullable=False),
    Column("bonus_left", BigInteger, nullable=False),
    Column("entry_id", String(40), nullable=False),
    Column("state", String(16), nullable=False),  # open, refunded
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_loyalty_wallet_lots_alliance_id_member_id", "alliance_id", "member_id"),
)

loyalty_wallet_payments = Table(
    "loyalty_wallet_payments",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("payment_id", String(60), primary_key=True),  # the purchase's id at the counter
    Column("member_id", String(40), nullable=False),
    Column("merchant_id", String(40), nullable=False),  # where the wallet was spent
    Column("principal", BigInteger, nullable=False),
    Column("bonus", BigInteger, nullable=False),
    Column("principal_back", BigInteger, nullable=False),
    Column("bonus_back", BigInteger, nullable=False),
    Column("entry_id", String(40), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_loyalty_wallet_payments_alliance_id_member_id", "alliance_id", "member_id"),
)

loyalty_wallet_draws = Table(
    "loyalty_wallet_draws",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("payment_id", String(60), primary_key=True),
    Column("lot_id", String(40), primary_key=True),
    Column("principal", BigInteger, nullable=False),
    Column("bonus", BigInteger, nullable=False),
)

loyalty_wallet_refunds = Table(
    "loyalty_wallet_refunds",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("request_id", String(40), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("lot_id", String(40), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("state", String(16), nullable=False),  # pending, approved, rejected
    Column("paid_fen", BigInteger, nullable=True),
    Column("bonus_forfeited", BigInteger, nullable=True),
    Column("entry_id", String(40), nullable=True),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decided_by", String(40), nullable=True),
)

# --- paid member cards (付费会员卡) ------------------------------------------------------------

loyalty_card_plans = Table(
    "loyalty_card_plans",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("plan_id", String(40), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("price_fen", BigInteger, nullable=False),
    Column("period", String(16), nullable=False),
    Column("days", Integer, nullable=False),
    Column("tier_code", String(32), nullable=True),
    Column("benefits_text", String(500), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# One row per sale or activation; the member's validity is the latest ``ends_at``.
loyalty_member_cards = Table(
    "loyalty_member_cards",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("card_id", String(40), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("plan_id", String(40), nullable=False),
    Column("source", String(16), nullable=False),  # sale, code
    Column("merchant_id", String(40), nullable=True),  # who sold it
    Column("code", String(20), nullable=True),
    Column("price_fen", BigInteger, nullable=False),
    Column("entry_id", String(40), nullable=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_loyalty_member_cards_alliance_id_member_id", "alliance_id", "member_id"),
)

loyalty_card_batches = Table(
    "loyalty_card_batches",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("batch_id", String(40), primary_key=True),
    Column("plan_id", String(40), nullable=False),
    Column("size", Integer, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
)

loyalty_card_codes = Table(
    "loyalty_card_codes",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("code", String(20), primary_key=True),
    Column("batch_id", String(40), nullable=False),
    Column("state", String(16), nullable=False),  # open, used, void
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_by", String(40), nullable=True),
    Column("used_at", UtcDateTime, nullable=True),
    Index("ix_loyalty_card_codes_alliance_id_batch_id", "alliance_id", "batch_id"),
)

# Stored-value top-up codes (储值卡密): a batch of one face value, paid for by one merchant;
# each code is kept only as its keyed hash (the clear codes are shown once, at generation).
loyalty_topup_code_batches = Table(
    "loyalty_topup_code_batches",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("batch_id", String(40), primary_key=True),
    Column("merchant_id", String(40), nullable=False),  # collected the money, owes it to the alliance
    Column("face_fen", BigInteger, nullable=False),
    Column("size", Integer, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("note", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
)

loyalty_topup_codes = Table(
    "loyalty_topup_codes",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("code_hash", String(64), primary_key=True),
    Column("batch_id", String(40), nullable=False),
    Column("state", String(16), nullable=False),  # open, used, void
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_by", String(40), nullable=True),
    Column("used_at", UtcDateTime, nullable=True),
    Column("topup_id", String(40), nullable=True),  # the wallet lot the code credited
    Index("ix_loyalty_topup_codes_alliance_id_batch_id", "alliance_id", "batch_id"),
)
