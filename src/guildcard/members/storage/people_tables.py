"""Tables of member import, record linkage and merge (issue 17), on the members Alembic branch."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

# One row per import run (a file): who attested the consent basis, and what came of it.
member_import_batches = Table(
    "member_import_batches",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("batch_id", String(40), primary_key=True),
    Column("merchant_id", String(40), nullable=True),
    Column("kind", String(16), nullable=False),  # members | purchases
    Column("basis", Text, nullable=True),  # the consent basis the importing merchant attests
    Column("source_name", String(200), nullable=False),
    Column("created", Integer, nullable=False),
    Column("linked", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("imported_by", String(40), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
)

# The merchant's own member id -> our member: the key that makes re-importing change nothing.
member_imports = Table(
    "member_imports",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("merchant_id", String(40), primary_key=True),
    Column("external_id", String(64), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("batch_id", String(40), nullable=False),
    Column("outcome", String(16), nullable=False),  # created | linked (the phone was a member already)
    Column("opening_points", BigInteger, nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Index(None, "alliance_id", "member_id"),
)

# Purchases made before the merchant joined (metrics and lifetime value; no points unless asked).
member_purchase_history = Table(
    "member_purchase_history",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("merchant_id", String(40), primary_key=True),
    Column("order_number", String(64), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("store_id", String(40), nullable=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("item_count", Integer, nullable=True),
    Column("batch_id", String(40), nullable=False),
    Column("points_entry_id", String(40), nullable=True),
    Index(None, "alliance_id", "member_id"),
)

# Candidate pairs found by record linkage, with each field's contribution (match weight).
member_match_pairs = Table(
    "member_match_pairs",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("pair_id", String(40), primary_key=True),
    Column("member_l", String(40), nullable=False),
    Column("member_r", String(40), nullable=False),
    Column("probability", Float, nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("band", String(12), nullable=False),  # certain | review
    Column("contributions", JSON, nullable=False),  # {field: {"level": …, "weight": …}}
    Column("status", String(16), nullable=False),  # open | merged | distinct
    Column("found_at", UtcDateTime, nullable=False),
    Column("reviewed_at", UtcDateTime, nullable=True),
    Column("reviewed_by", String(40), nullable=True),
    UniqueConstraint("alliance_id", "member_l", "member_r"),
)

# When the alliance's linkage job last ran (the next run compares members changed since).
member_linkage_runs = Table(
    "member_linkage_runs",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("last_run_at", UtcDateTime, nullable=False),
    Column("members_compared", Integer, nullable=False),
)

# A merge of an absorbed member into a survivor, with what moved (so it can be undone).
member_merges = Table(
    "member_merges",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("merge_id", String(40), primary_key=True),
    Column("survivor_id", String(40), nullable=False),
    Column("absorbed_id", String(40), nullable=False),
    Column("pair_id", String(40), nullable=True),
    Column("moved", JSON, nullable=False),
    Column("status", String(12), nullable=False),  # merged | undone
    Column("merged_at", UtcDateTime, nullable=False),
    Column("merged_by", String(40), nullable=False),
    Column("undo_before", UtcDateTime, nullable=False),
    Column("undone_at", UtcDateTime, nullable=True),
    Column("undone_by", String(40), nullable=True),
    Index(None, "alliance_id", "absorbed_id"),
)

# An absorbed member's phone, resolving to the survivor.
member_phone_aliases = Table(
    "member_phone_aliases",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("phone_hash", String(64), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("merge_id", String(40), nullable=False),
)


# A file a merchant owner uploaded on the import page, kept between the preview (with its column
# mapping) and the import, so the owner need not upload it twice; a day later it is dropped.
member_import_uploads = Table(
    "member_import_uploads",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("upload_id", String(40), primary_key=True),
    Column("merchant_id", String(40), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("uploaded_by", String(40), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
    Column("batch_id", String(40), nullable=True),  # the import it became, once imported
)
