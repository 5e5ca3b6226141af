"""Opening an alliance's ledger and reading its settings (policies, signing key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from guildcard.ledger.domain.errors import LedgerAlreadyOpen, LedgerNotOpen
from guildcard.ledger.domain.policy import (
    ExpiryKind,
    ExpiryPolicy,
    LedgerSettings,
    NegativeMode,
    NegativePolicy,
)
from guildcard.ledger.keys import KeyStore, new_signing_key
from guildcard.ledger.storage.tables import settings as settings_table


def open_alliance_ledger(
    conn: Connection,
    *,
    alliance_id: str,
    keys: KeyStore,
    now: datetime,
    expiry: ExpiryPolicy | None = None,
    negative: NegativePolicy | None = None,
) -> LedgerSettings:
    """Create the alliance's ledger settings and Ed25519 signing key (once)."""
    if _row(conn, alliance_id) is not None:
        raise LedgerAlreadyOpen(alliance_id=alliance_id)
    expiry = expiry or ExpiryPolicy.calendar(1)
    negative = negative or NegativePolicy()
    public, sealed = new_signing_key(keys)
    conn.execute(
        settings_table.insert().values(
            alliance_id=alliance_id,
            expiry_kind=expiry.kind.value,
            expiry_period=expiry.period,
            negative_mode=negative.mode.value,
            negative_limit=negative.limit,
            public_key=public,
            private_key_enc=sealed,
            created_at=now,
        )
    )
    return LedgerSettings(alliance_id, expiry, negative, public)


def update_policies(
    conn: Connection,
    *,
    alliance_id: str,
    expiry: ExpiryPolicy | None = None,
    negative: NegativePolicy | None = None,
) -> LedgerSettings:
    values: dict[str, object] = {}
    if expiry is not None:
        values |= {"expiry_kind": expiry.kind.value, "expiry_period": expiry.period}
    if negative is not None:
        values |= {"negative_mode": negative.mode.value, "negative_limit": negative.limit}
    if values:
        conn.execute(
            update(settings_table).where(settings_table.c.alliance_id == alliance_id).values(**values)
        )
    return load_settings(conn, alliance_id)


def load_settings(conn: Connection, alliance_id: str) -> LedgerSettings:
    row = _row(conn, alliance_id)
    if row is None:
        raise LedgerNotOpen(alliance_id=alliance_id)
    return LedgerSettings(
        alliance_id=alliance_id,
        expiry=ExpiryPolicy(ExpiryKind(row.expiry_kind), row.expiry_period),
        negative=NegativePolicy(NegativeMode(row.negative_mode), int(row.negative_limit)),
        public_key=row.public_key,
    )


def sealed_private_key(conn: Connection, alliance_id: str) -> str:
    row = _row(conn, alliance_id)
    if row is None:
        raise LedgerNotOpen(alliance_id=alliance_id)
    return str(row.private_key_enc)


def alliance_ids(conn: Connection) -> list[str]:
    return list(
        conn.execute(select(settings_table.c.alliance_id).order_by(settings_table.c.alliance_id)).scalars()
    )


def _row(conn: Connection, alliance_id: str):  # type: ignore[no-untyped-def]
    return conn.execute(select(settings_table).where(settings_table.c.alliance_id == alliance_id)).first()
