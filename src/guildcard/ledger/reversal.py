"""Reversals: whole or partial, never more than the original in total, and a full one once.

Member entries are reversed under the member's row lock, so the "what is left to reverse"
check and the write are serialized; ``(original, seq)`` is unique as a second guard.
"""

from __future__ import annotations

from typing import Any

from guildcard.kernel.errors import InvalidInput
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import Kind, Posting, Unit, negated, transfer
from guildcard.ledger.domain.errors import (
    AlreadyReversed,
    EntryNotFound,
    NegativeLimitExceeded,
    NotReversible,
    ReversalExceedsOriginal,
)
from guildcard.ledger.domain.lots import LotState, consumption_order
from guildcard.ledger.domain.results import EntryResult
from guildcard.ledger.service import Ledger

REVERSIBLE = {"award", "spend", "commit_hold", "growth", "post"}


def reverse(
    ledger: Ledger,
    entry_id: str,
    *,
    idempotency_key: str,
    amount: int | None = None,
    reference: str | None = None,
) -> EntryResult:
    """Reverse ``amount`` of an entry (all that is left when None).

    An award claws points back (pending points are voided); a spend gives them back to the
    lots they came from with their original expiry; growth is taken back; a free-form entry
    is reversed whole. Raises ``AlreadyReversed`` when nothing is left to reverse and
    ``ReversalExceedsOriginal`` when ``amount`` is more than what is left.
    """
    store = ledger.store
    original = store.entry(entry_id)
    if original is None:
        raise EntryNotFound(entry_id=entry_id)
    if original.scope not in REVERSIBLE:
        raise NotReversible(entry_id=entry_id, kind=original.kind)
    if original.scope == "post" and amount is not None:
        raise InvalidInput("a free-form entry is reversed whole", entry_id=entry_id)
    if amount is not None and amount <= 0:
        raise InvalidInput("a reversal amount is positive", amount=amount)
    if original.member_id:
        store.hold_row(chart.member_points(original.member_id))
    total = int(original.amount) if original.amount is not None else 1
    done = store.reversals_of(entry_id)
    left = total - sum(int(r.amount) for r in done)
    wanted = left if amount is None else amount
    header = ledger._header(
        Kind.REVERSAL, original.member_id, original.counterparty,
        None if original.scope == "post" else wanted, reference, None, reverses=entry_id,
    )  # fmt: skip
    request = {"entry": entry_id, "amount": amount, "reference": reference}
    replay = ledger._claim(header, "reverse", idempotency_key, request)
    if replay:
        return replay
    if left <= 0:
        raise AlreadyReversed(entry_id=entry_id)
    if wanted > left:
        raise ReversalExceedsOriginal(entry_id=entry_id, left=left, amount=wanted)
    store.add_reversal(entry_id, len(done) + 1, header.id, wanted)
    postings, breakage = _RULES[original.scope](ledger, original, header.id, wanted, done)
    ledger._append(header.with_postings(postings))
    return EntryResult(header.id, Kind.REVERSAL, header.amount, to_breakage=breakage)


def _award(
    ledger: Ledger, original: Any, entry_id: str, amount: int, _done: list[Any]
) -> tuple[tuple[Posting, ...], int]:
    store, member, issuer = ledger.store, original.member_id, original.counterparty
    lot = store.lot_of_entry(original.id)
    assert lot is not None
    now = ledger.clock.now()
    if lot.state is LotState.PENDING:  # void pending points: nothing was spendable yet
        store.debit(chart.member_pending(member), Unit.POINT, amount, floor=0, now=now)
        store.change_lots([(lot.id, amount)])
        if lot.remaining == amount:
            store.set_lot_state(lot.id, LotState.VOIDED)
        store.record_consumptions(entry_id, member, [(lot.id, issuer, amount)])
        return transfer(chart.member_pending(member), issuer, Unit.POINT, amount), 0
    points = chart.member_points(member)
    floor = ledger.settings.negative.floor
    if store.debit(points, Unit.POINT, amount, floor=floor, now=now) is None:
        raise NegativeLimitExceeded(
            entry_id=original.id,
            balance=store.balance(points),
            floor=floor,
            policy=ledger.settings.negative.mode,
        )
    # Claw from the award's own lot first, then the member's other lots; the rest is debt.
    others = sorted(
        (x for x in store.member_lots(member, state=LotState.ACTIVE) if x.id != lot.id), key=consumption_order
    )
    rows, left = [], amount
    for source in [lot, *others]:
        take = min(source.remaining, left)
        if take:
            rows.append((source.id, issuer, take))
            left -= take
    store.change_lots([(lot_id, take) for lot_id, _, take in rows])
    store.record_consumptions(entry_id, member, rows)
    return transfer(points, issuer, Unit.POINT, amount), 0


def _spend(
    ledger: Ledger, original: Any, entry_id: str, amount: int, done: list[Any]
) -> tuple[tuple[Posting, ...], int]:
    drawn_by = [original.id, *(r.reversal_id for r in done)]
    if original.scope == "commit_hold":
        hold = ledger.store.hold_by_entry("closing_entry_id", original.id)
        assert hold is not None, "a committed hold's entry always has its hold"
        drawn_by[0] = hold.hold_entry_id
    live, expired = ledger.restore(entry_id, original.member_id, drawn_by, original.counterparty, amount)
    return ledger.restore_postings(original.counterparty, original.member_id, live, expired), expired


def _growth(
    ledger: Ledger, original: Any, entry_id: str, amount: int, _done: list[Any]
) -> tuple[tuple[Posting, ...], int]:
    lines = transfer(chart.member_growth(original.member_id), original.counterparty, Unit.GROWTH, amount)
    ledger.apply_member_postings(lines)
    return lines, 0


def _post(
    ledger: Ledger, original: Any, entry_id: str, amount: int, _done: list[Any]
) -> tuple[tuple[Posting, ...], int]:
    lines = negated(ledger.store.postings_of(original.id))
    ledger.apply_member_postings(lines)
    return lines, 0


_RULES = {"award": _award, "spend": _spend, "commit_hold": _spend, "growth": _growth, "post": _post}
