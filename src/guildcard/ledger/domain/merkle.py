"""Merkle trees over entries (RFC 6962 shape), canonical leaves and inclusion proofs.

Stdlib only, so that ``docs/ledger-proofs.md`` can show the same routine standalone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from guildcard.ledger.domain.entries import Entry


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_entry(entry: Entry) -> bytes:
    """The bytes a leaf hashes: sorted-key compact JSON of the entry and its postings in order."""
    doc: dict[str, Any] = {
        "alliance_id": entry.alliance_id,
        "id": entry.id,
        "kind": entry.kind,
        "occurred_at": timestamp(entry.occurred_at),
        "recorded_at": timestamp(entry.recorded_at),
        "reference": entry.reference,
        "reverses": entry.reverses,
        "postings": [[p.account, p.unit.value, p.amount] for p in entry.postings],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Root over leaf hashes; the empty tree's root is SHA-256 of nothing."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The sibling hashes from the leaf up to the root (RFC 6962 audit path)."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_path(leaves[:k], index), merkle_root(leaves[k:])]
    return [*inclusion_path(leaves[k:], index - k), merkle_root(leaves[:k])]


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """Recompute the root from a leaf hash, its position, the tree size and the audit path."""
    if size <= 1:
        if path:
            raise ValueError("path too long")
        return leaf
    k = _split(size)
    if not path:
        raise ValueError("path too short")
    *inner, sibling = path
    if index < k:
        return node_hash(root_from_path(leaf, index, k, inner), sibling)
    return node_hash(sibling, root_from_path(leaf, index - k, size - k, inner))


def checkpoint_message(alliance_id: str, seq: int, prev_root: str, root: str, size: int) -> bytes:
    """The bytes an alliance signs for a checkpoint (chained to the previous root)."""
    return f"guildcard-checkpoint-v1|{alliance_id}|{seq}|{prev_root}|{root}|{size}".encode()
