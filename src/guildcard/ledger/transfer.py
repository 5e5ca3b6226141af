"""Moving what one member holds to another (a member merge and its undo): entries, never edits.

One ``member_transfer`` entry moves the source's spendable points, pending points and growth to
the target. Each of the source's lots is drawn to the target's account (a consumption row, so the
lot's trail stays exact) and reborn as a lot of the target with the same issuer, availability and
expiry: points stay issued by who issued them, so settlement does not change. ``lot_ids`` limits
the move to those lots (an undo moves back exactly what a merge moved, and refuses when any of it
was spent or expired since).

A source in debt (its points account below zero after a clawback) has it settled by the target in
the same entry: the target's own lots are drawn toward the source's points account (soonest expiry
first, as any spend) and the source comes back to zero; refused when the target holds too little.
The undo (``debt``, ``settled_by``: the merge's entry) gives those points back to the lots they came
from (an expired share goes to breakage) and puts the debt back on the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from guildcard.kernel.errors import RuleViolation
from guildcard.kernel.ids import new_id
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import Posting, Unit
from guildcard.ledger.domain.lots import Lot, LotState
from guildcard.ledger.service import Ledger

KIND = "member_transfer"


class TransferRefused(RuleViolation):
    """The member's points cannot be moved (open holds, a debt the target cannot cover, or moved value
    that is gone)."""

    code = "ledger.transfer_refused"


@dataclass(frozen=True)
class MovedLot:
    source_lot: str
    target_lot: str
    issuer: str
    amount: int
    pending: bool


@dataclass(frozen=True)
class TransferResult:
    entry_id: str | None  # None when there was nothing to move
    points: int
    pending: int
    growth: int
    lots: tuple[MovedLot, ...]
    debt: int = 0  # the source's debt the target settled (a merge) or took back (an undo)


def move_member_value(
    ledger: Ledger,
    *,
    source: str,
    target: str,
    idempotency_key: str,
    reference: str | None = None,
    lot_ids: Sequence[str] | None = None,
    growth: int | None = None,
    debt: int = 0,
    settled_by: str | None = None,
) -> TransferResult:
    """Move ``source``'s lots (all of them, or exactly ``lot_ids``) and growth (all, or ``growth``);
    ``debt`` with ``settled_by``: an undo gives back the debt that entry settled."""
    store, now = ledger.store, ledger.clock.now()
    for member in sorted((source, target)):  # a fixed order: two merges never deadlock
        store.lock_balance(chart.member_points(member))
    lots = _lots_to_move(ledger, source, lot_ids)
    owed = 0 if lot_ids is not None else max(0, -(store.balance(chart.member_points(source)) or 0))
    if owed and (store.balance(chart.member_points(target)) or 0) < owed:
        raise TransferRefused(
            "the survivor's points do not cover the absorbed member's debt", debt=owed, member=target
        )
    growth_code = chart.member_growth(source)
    available_growth = store.balance(growth_code) or 0
    growth_moved = available_growth if growth is None else growth
    if growth_moved > available_growth:
        raise TransferRefused("the growth moved was used since", member=source)
    points = sum(lot.remaining for lot in lots if lot.state is LotState.ACTIVE)
    pending = sum(lot.remaining for lot in lots if lot.state is LotState.PENDING)
    if not (points or pending or growth_moved or owed or debt):
        return TransferResult(None, 0, 0, 0, ())
    header = ledger._header(KIND, source, chart.member_points(target), points + pending, reference, None)
    request = {
        "source": source,
        "target": target,
        "lots": sorted(lot.id for lot in lots),
        "growth": growth_moved,
        "debt": owed or debt,
    }
    replay = ledger._claim(header, "transfer", idempotency_key, request)
    if replay:
        raise TransferRefused("this transfer was made before", key=idempotency_key)
    postings: list[Posting] = []
    if owed:  # before the lots are reborn: the target pays from its own points
        postings += _settle_debt(ledger, header.id, debtor=source, payer=target, amount=owed)
    if debt:
        postings += _unsettle_debt(
            ledger, header.id, debtor=target, payer=source, amount=debt, settled_by=settled_by
        )
    moved: list[MovedLot] = []
    consumptions: list[tuple[str, str, int]] = []
    reborn: list[tuple[Lot, str]] = []
    for lot in lots:
        is_pending = lot.state is LotState.PENDING
        to = chart.member_pending(target) if is_pending else chart.member_points(target)
        consumptions.append((lot.id, to, lot.remaining))
        new_lot = Lot(
            new_id("lot"),
            target,
            lot.issuer,
            lot.remaining,
            lot.remaining,
            lot.available_at,
            lot.expires_at,
            lot.state,
        )
        reborn.append((new_lot, header.id))
        moved.append(MovedLot(lot.id, new_lot.id, lot.issuer, lot.remaining, is_pending))
    store.change_lots([(lot.id, lot.remaining) for lot in lots])
    store.record_consumptions(header.id, source, consumptions)
    if reborn:
        store.add_lots(reborn)
    for amount, source_code, target_code, unit in (
        (points, chart.member_points(source), chart.member_points(target), Unit.POINT),
        (pending, chart.member_pending(source), chart.member_pending(target), Unit.POINT),
        (growth_moved, growth_code, chart.member_growth(target), Unit.GROWTH),
    ):
        if not amount:
            continue
        if store.debit(source_code, unit.value, amount, floor=0, now=now) is None:
            raise TransferRefused("the balance changed while moving it", account=source_code)
        store.credit(target_code, unit.value, amount, now)
        postings += [Posting(source_code, unit, -amount), Posting(target_code, unit, amount)]
    ledger._append(header.with_postings(tuple(postings)))
    return TransferResult(header.id, points, pending, growth_moved, tuple(moved), owed or debt)


def _settle_debt(ledger: Ledger, entry_id: str, *, debtor: str, payer: str, amount: int) -> list[Posting]:
    """The payer's lots drawn toward the debtor's points account, which comes back to zero."""
    store, owed_account = ledger.store, chart.member_points(debtor)
    ledger._draw(entry_id, payer, amount, owed_account)
    store.credit(owed_account, Unit.POINT.value, amount, ledger.clock.now())
    return [
        Posting(chart.member_points(payer), Unit.POINT, -amount),
        Posting(owed_account, Unit.POINT, amount),
    ]


def _unsettle_debt(
    ledger: Ledger, entry_id: str, *, debtor: str, payer: str, amount: int, settled_by: str | None
) -> list[Posting]:
    """Undo ``_settle_debt``: the payer's lots get their points back, the debtor owes them again."""
    if settled_by is None:
        raise TransferRefused("the entry that settled the debt is not known", member=debtor)
    store, owed_account = ledger.store, chart.member_points(debtor)
    if store.debit(owed_account, Unit.POINT.value, amount, floor=-amount, now=ledger.clock.now()) is None:
        raise TransferRefused("the absorbed member's points changed since the merge", member=debtor)
    live, expired = ledger.restore(entry_id, payer, [settled_by], owed_account, amount)
    return list(ledger.restore_postings(owed_account, payer, live, expired))  # the debtor's -amount first


def _lots_to_move(ledger: Ledger, source: str, lot_ids: Sequence[str] | None) -> list[Lot]:
    store, now = ledger.store, ledger.clock.now()
    if (store.balance(chart.member_held(source)) or 0) > 0:
        raise TransferRefused("the member has open holds (a pending mall order or redemption)", member=source)
    lots = store.member_lots(source, state=LotState.ACTIVE) + store.member_lots(
        source, state=LotState.PENDING
    )
    if lot_ids is not None:
        wanted = store.lots_by_id(lot_ids)
        for lot_id in lot_ids:
            lot = wanted.get(lot_id)
            if lot is None or lot.member_id != source or lot.remaining != lot.amount:
                raise TransferRefused(
                    "some of the moved points were spent, expired or voided since", lot=lot_id
                )
            if lot.expires_at is not None and lot.expires_at <= now:
                raise TransferRefused("some of the moved points have expired since", lot=lot_id)
        lots = [wanted[i] for i in lot_ids]
    return lots
