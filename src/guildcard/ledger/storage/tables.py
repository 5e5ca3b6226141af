"""The ledger's tables. Entries, postings, reversals and checkpoints are append-only.

Every key is led by ``alliance_id``. Only member-scoped rows change in place
(member accounts' cached balances, lots' remainders, holds' state).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, UniqueConstraint

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

ID = 40
CODE = 100

settings = Table(
    "ledger_settings",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("expiry_kind", String(16), nullable=False),
    Column("expiry_period", Integer, nullable=False),
    Column("negative_mode", String(16), nullable=False),
    Column("negative_limit", BigInteger, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("private_key_enc", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

accounts = Table(
    "ledger_accounts",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("code", String(CODE), primary_key=True),
    Column("unit", String(8), nullable=False),
    Column("owner_kind", String(16), nullable=False),
    Column("owner_id", String(ID), nullable=True),
    # Cached balance: member accounts only; merchant/platform balances are sums of postings.
    Column("balance", BigInteger, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    postgresql_with={"fillfactor": 80},  # room for in-place (HOT) updates of ``balance``
)

entries = Table(
    "ledger_entries",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("scope", String(32), nullable=False),
    Column("idem_key", String(160), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("reference", String(160), nullable=True),
    Column("member_id", String(ID), nullable=True),
    Column("counterparty", String(CODE), nullable=True),
    Column("amount", BigInteger, nullable=True),
    Column("reverses", String(ID), nullable=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("alliance_id", "scope", "idem_key"),
    Index("ix_ledger_entries_member", "alliance_id", "member_id", "recorded_at"),
)

postings = Table(
    "ledger_postings",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("entry_id", String(ID), primary_key=True),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("account", String(CODE), nullable=False),
    Column("unit", String(8), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Index("ix_ledger_postings_account", "alliance_id", "account"),
)

lots = Table(
    "ledger_lots",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("member_id", String(ID), nullable=False),
    Column("issuer", String(CODE), nullable=False),
    Column("entry_id", String(ID), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("remaining", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("available_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Index("ix_ledger_lots_member", "alliance_id", "member_id", "state"),
    Index("ix_ledger_lots_expiry", "alliance_id", "expires_at"),
    Index("ix_ledger_lots_entry", "alliance_id", "entry_id"),
    postgresql_with={"fillfactor": 80},  # room for in-place (HOT) updates of ``remaining``
)

# Every change of a lot's remainder is one row (entry, lot, target, amount): positive draws
# from the lot, negative restores to it. ``target`` is where the points went: the redeeming
# merchant, the mall, breakage, back to the issuer (clawback) or the member's own points
# account (a debt repaid). So ``lot.amount - lot.remaining == sum(amount)`` for every lot.
consumptions = Table(
    "ledger_consumptions",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("entry_id", String(ID), primary_key=True),
    Column("lot_id", String(ID), primary_key=True),
    Column("member_id", String(ID), nullable=False),
    Column("target", String(CODE), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Index("ix_ledger_consumptions_lot", "alliance_id", "lot_id"),
)

holds = Table(
    "ledger_holds",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("member_id", String(ID), nullable=False),
    Column("target", String(CODE), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("hold_entry_id", String(ID), nullable=False),
    Column("closing_entry_id", String(ID), nullable=True),
    Index("ix_ledger_holds_expiry", "alliance_id", "state", "expires_at"),
)

# One row per reversal of an entry; (original, seq) is unique, so two concurrent
# reversals of one entry cannot both pass the "not more than the original" check.
reversals = Table(
    "ledger_reversals",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("original_id", String(ID), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("reversal_id", String(ID), nullable=False),
    Column("amount", BigInteger, nullable=False),
)

checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("prev_root", String(64), nullable=False),
    Column("root", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Which checkpoint holds an entry, at which position: the checkpoint's own dense order.
checkpoint_leaves = Table(
    "ledger_checkpoint_leaves",
    metadata,
    Column("alliance_id", String(ID), primary_key=True),
    Column("entry_id", String(ID), primary_key=True),
    Column("checkpoint_seq", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_ledger_checkpoint_leaves_seq", "alliance_id", "checkpoint_seq", "position"),
)
