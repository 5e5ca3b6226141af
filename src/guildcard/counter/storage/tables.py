"""Purchases, refunds and backfill requests. Keys are led by ``alliance_id``."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, PrimaryKeyConstraint, String, Table, UniqueConstraint

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

ID = 40
NO = 64  # merchant order / receipt / refund numbers

purchases = Table(
    "counter_purchases",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("purchase_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("store_id", String(ID), nullable=False),
    Column("order_no", String(NO), nullable=False),
    Column("member_id", String(ID), nullable=False),
    Column("source", String(16), nullable=False),  # counter, backfill
    Column("status", String(24), nullable=False),  # committed, partially_refunded, refunded
    Column("bill_fen", BigInteger, nullable=False),
    Column("discount_fen", BigInteger, nullable=False),
    Column("payable_fen", BigInteger, nullable=False),
    Column("points_used", BigInteger, nullable=False),
    Column("points_value_fen", BigInteger, nullable=False),
    Column("cash_fen", BigInteger, nullable=False),
    Column("points_earned", BigInteger, nullable=False),
    Column("growth", BigInteger, nullable=False),
    Column("refunded_fen", BigInteger, nullable=False),
    Column("spend_entry_id", String(ID)),
    Column("award_entry_id", String(ID)),
    Column("growth_entry_id", String(ID)),
    # The price stages beyond points (counter_seam_0001): the coupon used, stored value paid.
    Column("coupon_id", String(ID)),
    Column("coupon_fen", BigInteger, nullable=False, server_default="0"),
    Column("wallet_principal_fen", BigInteger, nullable=False, server_default="0"),
    Column("wallet_bonus_fen", BigInteger, nullable=False, server_default="0"),
    Column("wallet_entry_id", String(ID)),
    Column("fingerprint", String(64), nullable=False),
    Column("receipt", JSON, nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    PrimaryKeyConstraint("alliance_id", "purchase_id", name="pk_counter_purchases"),
    UniqueConstraint("alliance_id", "merchant_id", "order_no", name="uq_counter_purchases_order"),
    Index("ix_counter_purchases_member_day", "alliance_id", "member_id", "merchant_id", "occurred_at"),
)

refunds = Table(
    "counter_refunds",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("refund_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("refund_no", String(NO), nullable=False),
    Column("purchase_id", String(ID), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("receipt", JSON, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    PrimaryKeyConstraint("alliance_id", "refund_id", name="pk_counter_refunds"),
    UniqueConstraint("alliance_id", "merchant_id", "refund_no", name="uq_counter_refunds_refund_no"),
    Index("ix_counter_refunds_purchase", "alliance_id", "purchase_id"),
)

backfills = Table(
    "counter_backfills",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("backfill_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("store_id", String(ID), nullable=False),
    Column("receipt_no", String(NO), nullable=False),
    Column("member_id", String(ID), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("purchased_at", UtcDateTime(), nullable=False),
    Column("status", String(24), nullable=False),  # needs_approval, approved, rejected
    Column("purchase_id", String(ID)),
    Column("fingerprint", String(64), nullable=False),
    Column("request", JSON, nullable=False),
    Column("requested_by", String(ID), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("decided_by", String(ID)),
    Column("decided_at", UtcDateTime()),
    Column("decision_note", String(500)),
    PrimaryKeyConstraint("alliance_id", "backfill_id", name="pk_counter_backfills"),
    UniqueConstraint("alliance_id", "merchant_id", "receipt_no", name="uq_counter_backfills_receipt"),
)

# A cashier's (or POS key's) refund of points the member already spent, waiting for the owner or a
# manager (issue 12 item 6). Keyed like a refund by its refund number; the refund itself is
# recorded under that number when approved.
refund_requests = Table(
    "counter_refund_requests",
    metadata,
    Column("alliance_id", String(ID), nullable=False),
    Column("request_id", String(ID), nullable=False),
    Column("merchant_id", String(ID), nullable=False),
    Column("store_id", String(ID), nullable=False),
    Column("order_no", String(NO), nullable=False),
    Column("refund_no", String(NO), nullable=False),
    Column("purchase_id", String(ID), nullable=False),
    Column("member_id", String(ID), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("shortfall_points", BigInteger, nullable=False),  # points the member lacks for the clawback
    Column("status", String(24), nullable=False),  # pending, approved, rejected
    Column("settle_as", String(24)),  # below_zero | cash_minus_points, once approved
    Column("refund_id", String(ID)),
    Column("fingerprint", String(64), nullable=False),
    Column("requested_by", String(ID), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("decided_by", String(ID)),
    Column("decided_at", UtcDateTime()),
    Column("decision_note", String(500)),
    PrimaryKeyConstraint("alliance_id", "request_id", name="pk_counter_refund_requests"),
    UniqueConstraint("alliance_id", "merchant_id", "refund_no", name="uq_counter_refund_requests_no"),
    Index("ix_counter_refund_requests_status", "alliance_id", "merchant_id", "status"),
)
