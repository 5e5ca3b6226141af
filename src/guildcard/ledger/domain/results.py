"""What the ledger's commands and queries return. Every command result says if it was a replay."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class EntryResult:
    """The entry a command wrote (or, on a replay, had written the first time)."""

    entry_id: str
    kind: str
    amount: int | None
    replayed: bool = False
    lot_id: str | None = None
    hold_id: str | None = None
    debt_repaid: int = 0
    to_breakage: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", str(self.kind))  # a plain string, also for enum kinds


@dataclass(frozen=True)
class Balance:
    member_id: str
    available: int  # spendable now (0 while in debt)
    pending: int  # awarded, not yet released
    held: int  # reserved by open holds
    debt: int  # owed after a clawback; repaid from later awards first
    growth: int = 0


@dataclass(frozen=True)
class LotView:
    id: str
    issuer: str
    amount: int
    remaining: int
    state: str
    available_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class HistoryItem:
    entry_id: str
    kind: str
    occurred_at: datetime
    points: int  # the member's net change in spendable points
    pending: int
    counterparty: str | None  # the issuing or redeeming merchant/platform account
    reference: str | None
    reverses: str | None


@dataclass(frozen=True)
class Flow:
    """Points issued by ``issuer`` that were spent at ``spent_at`` (net of restores)."""

    issuer: str
    spent_at: str
    points: int


@dataclass(frozen=True)
class JobResult:
    entries: int
    lots: int
    points: int
    replayed: bool = False


@dataclass(frozen=True)
class Violation:
    code: str
    message: str


@dataclass(frozen=True)
class CheckpointResult:
    alliance_id: str
    seq: int
    root: str
    size: int
    signature: str


@dataclass(frozen=True)
class InclusionProof:
    alliance_id: str
    entry_id: str
    checkpoint_seq: int
    index: int
    size: int
    leaf: str  # hex of the canonical entry bytes
    path: list[str] = field(default_factory=list)  # hex sibling hashes, leaf to root
    root: str = ""
    signature: str = ""
    public_key: str = ""
    prev_root: str = ""
