"""Bulk awards (campaign grants, group commit): many awards in a handful of statements.

Same rules as ``Ledger.award`` (idempotency per award, debt repaid first, expiry policy),
but the claims, balance updates, lots and postings of the whole batch are each one statement.
Pending awards are not supported here: use ``Ledger.award``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from guildcard.kernel.clock import ensure_utc
from guildcard.kernel.errors import IdempotencyConflict
from guildcard.kernel.fingerprint import fingerprint
from guildcard.kernel.ids import new_id
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import Entry, EntryHeader, Kind, Unit, positive, transfer
from guildcard.ledger.domain.lots import Lot, LotState
from guildcard.ledger.domain.policy import ExpiryPolicy
from guildcard.ledger.domain.results import EntryResult
from guildcard.ledger.service import Ledger, require_source


@dataclass(frozen=True)
class AwardRequest:
    member_id: str
    issuer: str
    amount: int
    idempotency_key: str
    expiry: ExpiryPolicy | None = None
    kind: str = Kind.AWARD
    reference: str | None = None
    occurred_at: datetime | None = None

    def fingerprint(self) -> str:
        return fingerprint(
            {
                "scope": "award", "member": self.member_id, "issuer": self.issuer, "amount": self.amount,
                "kind": self.kind, "reference": self.reference, "available_at": None, "expiry": self.expiry,
                "occurred_at": self.occurred_at,
            }
        )  # fmt: skip


def award_many(ledger: Ledger, requests: list[AwardRequest]) -> list[EntryResult]:
    """Award every request; results in request order (replays say so)."""
    store = ledger.store
    headers: list[EntryHeader] = []
    for r in requests:
        positive(r.amount)
        require_source(r.issuer)
        occurred = ensure_utc(r.occurred_at) if r.occurred_at else None
        headers.append(ledger._header(r.kind, r.member_id, r.issuer, r.amount, r.reference, occurred))
    prints = [r.fingerprint() for r in requests]
    claimed = store.claim_many(
        [
            store.claim_params(h, "award", r.idempotency_key, f)
            for h, r, f in zip(headers, requests, prints, strict=True)
        ]
    )
    fresh = [(h, r) for h, r in zip(headers, requests, strict=True) if h.id in claimed]
    totals: dict[str, int] = defaultdict(int)
    for _, r in fresh:
        totals[chart.member_points(r.member_id)] += r.amount
    now = ledger.clock.now()
    balances = store.credit_many(dict(totals), Unit.POINT.value, now) if totals else {}
    # Debt per member before the batch = what the batch's credits had to fill first.
    debt = {code: max(0, totals[code] - balances[code]) for code in totals}
    results: dict[str, EntryResult] = {}
    lots: list[tuple[Lot, str]] = []
    built: list[Entry] = []
    repayments: list[tuple[str, str, str, int]] = []
    for h, r in fresh:
        code = chart.member_points(r.member_id)
        repaid = min(r.amount, debt[code])
        debt[code] -= repaid
        policy = r.expiry or ledger.settings.expiry
        lot = Lot(new_id("lot"), r.member_id, r.issuer, r.amount, r.amount - repaid, h.occurred_at,
                  policy.expires_at(h.occurred_at), LotState.ACTIVE)  # fmt: skip
        lots.append((lot, h.id))
        if repaid:
            repayments.append((h.id, r.member_id, lot.id, repaid))
        built.append(h.with_postings(transfer(r.issuer, code, Unit.POINT, r.amount)))
        results[h.id] = EntryResult(h.id, h.kind, r.amount, lot_id=lot.id, debt_repaid=repaid)
    if lots:
        store.add_lots(lots)
        store.add_postings_many(built)
        ledger.register_accounts(built)
    for entry_id, member_id, lot_id, repaid in repayments:
        store.record_consumptions(entry_id, member_id, [(lot_id, chart.member_points(member_id), repaid)])
    out = []
    for h, r, f in zip(headers, requests, prints, strict=True):
        if h.id in results:
            out.append(results[h.id])
            continue
        row = store.entry_by_key("award", r.idempotency_key)
        if row.fingerprint != f:
            raise IdempotencyConflict(scope="ledger.award", key=r.idempotency_key)
        out.append(ledger.result_of(row, replayed=True))
    return out
