"""Signed checkpoints: a Merkle root over every entry not yet in a checkpoint, chained and signed.

The checkpoint assigns its own dense order: under an alliance-level lock it takes every
committed entry that has no leaf yet, in (recorded_at, id) order. An entry that commits late
(after a later-numbered one) is simply in the next checkpoint, so none is ever skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from guildcard.ledger.domain.entries import Entry, Posting, Unit
from guildcard.ledger.domain.errors import EntryNotFound
from guildcard.ledger.domain.merkle import (
    canonical_entry,
    checkpoint_message,
    inclusion_path,
    leaf_hash,
    merkle_root,
    root_from_path,
)
from guildcard.ledger.domain.results import CheckpointResult, InclusionProof
from guildcard.ledger.keys import KeyStore, sign, signature_holds
from guildcard.ledger.settings_store import load_settings, sealed_private_key
from guildcard.ledger.storage.tables import checkpoint_leaves, checkpoints, entries, postings
from guildcard.ledger.storage.tables import settings as settings_table

GENESIS = "0" * 64
_CHUNK = 500


def load_entries(conn: Connection, alliance_id: str, ids: list[str]) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        lines: dict[str, list[Posting]] = {}
        for p in conn.execute(
            select(postings)
            .where(postings.c.alliance_id == alliance_id, postings.c.entry_id.in_(chunk))
            .order_by(postings.c.entry_id, postings.c.line)
        ):
            lines.setdefault(p.entry_id, []).append(Posting(p.account, Unit(p.unit), int(p.amount)))
        for e in conn.execute(
            select(entries).where(entries.c.alliance_id == alliance_id, entries.c.id.in_(chunk))
        ):
            found[e.id] = _entry(e, tuple(lines.get(e.id, ())))
    return found


def _entry(row: Any, lines: tuple[Posting, ...]) -> Entry:
    # Built without the balance check: the verifier must be able to hash a corrupted entry.
    entry = object.__new__(Entry)
    for name, value in {
        "id": row.id, "alliance_id": row.alliance_id, "kind": row.kind, "occurred_at": row.occurred_at,
        "recorded_at": row.recorded_at, "postings": lines, "reference": row.reference,
        "reverses": row.reverses,
        "member_id": row.member_id, "counterparty": row.counterparty,
        "amount": None if row.amount is None else int(row.amount),
    }.items():  # fmt: skip
        object.__setattr__(entry, name, value)
    return entry


def leaf_hashes(conn: Connection, alliance_id: str, ids: list[str]) -> list[bytes]:
    loaded = load_entries(conn, alliance_id, ids)
    return [leaf_hash(canonical_entry(loaded[i])) if i in loaded else b"" for i in ids]


def make_checkpoint(
    conn: Connection, *, alliance_id: str, keys: KeyStore, now: datetime
) -> CheckpointResult | None:
    """Append a signed checkpoint over the entries since the previous one; None when there are none."""
    lock = select(settings_table.c.alliance_id).where(settings_table.c.alliance_id == alliance_id)
    conn.execute(lock.with_for_update() if conn.dialect.name == "postgresql" else lock)
    settings = load_settings(conn, alliance_id)
    last = conn.execute(
        select(checkpoints)
        .where(checkpoints.c.alliance_id == alliance_id)
        .order_by(checkpoints.c.seq.desc())
        .limit(1)
    ).first()
    done = select(checkpoint_leaves.c.entry_id).where(
        checkpoint_leaves.c.alliance_id == alliance_id, checkpoint_leaves.c.entry_id == entries.c.id
    )
    ids = list(
        conn.execute(
            select(entries.c.id)
            .where(entries.c.alliance_id == alliance_id, ~done.exists())
            .order_by(entries.c.recorded_at, entries.c.id)
        ).scalars()
    )
    if not ids:
        return None
    seq = 1 if last is None else last.seq + 1
    prev_root = GENESIS if last is None else last.root
    root = merkle_root(leaf_hashes(conn, alliance_id, ids)).hex()
    message = checkpoint_message(alliance_id, seq, prev_root, root, len(ids))
    signature = sign(keys, sealed_private_key(conn, alliance_id), message)
    conn.execute(
        checkpoints.insert().values(
            alliance_id=alliance_id, seq=seq, prev_root=prev_root, root=root, size=len(ids),
            public_key=settings.public_key, signature=signature, created_at=now,
        )
    )  # fmt: skip
    conn.execute(
        checkpoint_leaves.insert(),
        [
            {"alliance_id": alliance_id, "entry_id": i, "checkpoint_seq": seq, "position": n}
            for n, i in enumerate(ids)
        ],
    )
    return CheckpointResult(alliance_id, seq, root, len(ids), signature)


def checkpoint_entry_ids(conn: Connection, alliance_id: str, seq: int) -> list[str]:
    return list(
        conn.execute(
            select(checkpoint_leaves.c.entry_id)
            .where(checkpoint_leaves.c.alliance_id == alliance_id, checkpoint_leaves.c.checkpoint_seq == seq)
            .order_by(checkpoint_leaves.c.position)
        ).scalars()
    )


def inclusion_proof(conn: Connection, *, alliance_id: str, entry_id: str) -> InclusionProof:
    """The proof that ``entry_id`` is, unaltered, in a signed checkpoint (it must be checkpointed)."""
    leaf = conn.execute(
        select(checkpoint_leaves).where(
            checkpoint_leaves.c.alliance_id == alliance_id, checkpoint_leaves.c.entry_id == entry_id
        )
    ).first()
    if leaf is None:
        raise EntryNotFound("the entry is not in a checkpoint yet", entry_id=entry_id)
    cp = conn.execute(
        select(checkpoints).where(
            checkpoints.c.alliance_id == alliance_id, checkpoints.c.seq == leaf.checkpoint_seq
        )
    ).one()
    ids = checkpoint_entry_ids(conn, alliance_id, cp.seq)
    hashes = leaf_hashes(conn, alliance_id, ids)
    data = canonical_entry(load_entries(conn, alliance_id, [entry_id])[entry_id])
    return InclusionProof(
        alliance_id=alliance_id,
        entry_id=entry_id,
        checkpoint_seq=cp.seq,
        index=leaf.position,
        size=cp.size,
        leaf=data.hex(),
        path=[h.hex() for h in inclusion_path(hashes, leaf.position)],
        root=cp.root,
        signature=cp.signature,
        public_key=cp.public_key,
        prev_root=cp.prev_root,
    )


def proof_holds(proof: InclusionProof) -> bool:
    """Check a proof: the leaf hashes up to the signed root, and the signature holds."""
    try:
        computed = root_from_path(
            leaf_hash(bytes.fromhex(proof.leaf)),
            proof.index,
            proof.size,
            [bytes.fromhex(h) for h in proof.path],
        )
    except ValueError:
        return False
    message = checkpoint_message(
        proof.alliance_id, proof.checkpoint_seq, proof.prev_root, proof.root, proof.size
    )
    return computed.hex() == proof.root and signature_holds(proof.public_key, message, proof.signature)


def checkpoint_rows(conn: Connection, alliance_id: str) -> Iterable[Any]:
    return conn.execute(
        select(checkpoints).where(checkpoints.c.alliance_id == alliance_id).order_by(checkpoints.c.seq)
    )


def leaf_count(conn: Connection, alliance_id: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(checkpoint_leaves)
            .where(checkpoint_leaves.c.alliance_id == alliance_id)
        ).scalar_one()
    )
