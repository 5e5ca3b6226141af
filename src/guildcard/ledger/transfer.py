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
from dataclasses import dataclass, replace
from typing import Any

from guildcard.kernel.ids import new_id
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import Posting, Unit
from guildcard.ledger.domain.lots import Lot, LotState
from guildcard.ledger.hold_transfer import MovedHold, TransferRefused, move_holds
from guildcard.ledger.service import Ledger

KIND = "member_transfer"


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
    holds: tuple[MovedHold, ...] = ()


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
    holds: Sequence[MovedHold] | None = None,
) -> TransferResult:
    """Move ``source``'s lots (all of them, or exactly ``lot_ids``), growth (all, or ``growth``) and
    open holds (all, or of ``holds`` those still open; a voided one's reborn lots move with ``lot_ids``,
    a committed one was spent); ``debt`` with ``settled_by``: an undo gives back the debt that entry
    settled."""
    store, now = ledger.store, ledger.clock.now()
    for member in sorted((source, target)):  # a fixed order: two merges never deadlock
        store.lock_balance(chart.member_points(member))
    open_holds, lot_ids = _holds_to_move(ledger, source, holds, lot_ids)
    lots = _lots_to_move(ledger, source, lot_ids)
    owed = _debt_to_settle(ledger, source, target) if lot_ids is None else 0
    growth_code = chart.member_growth(source)
    available_growth = store.balance(growth_code) or 0
    growth_moved = available_growth if growth is None else growth
    if growth_moved > available_growth:
        raise TransferRefused("the growth moved was used since", member=source)
    points = sum(lot.remaining for lot in lots if lot.state is LotState.ACTIVE)
    pending = sum(lot.remaining for lot in lots if lot.state is LotState.PENDING)
    if not (points or pending or growth_moved or owed or debt or open_holds):
        return TransferResult(None, 0, 0, 0, ())
    header = ledger._header(KIND, source, chart.member_points(target), points + pending, reference, None)
    request = {
        "source": source,
        "target": target,
        "lots": sorted(lot.id for lot in lots),
        "growth": growth_moved,
        "debt": owed or debt,
        "holds": sorted(h.id for h in open_holds),
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
    moved_holds, consumptions = move_holds(
        ledger, header.id, open_holds, source=source, target=target, key=idempotency_key, reference=reference
    )
    reborn, moved = _rebirth(lots, target, header.id, consumptions)
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
    return TransferResult(
        header.id, points, pending, growth_moved, tuple(moved), owed or debt, tuple(moved_holds)
    )


def _holds_to_move(
    ledger: Ledger, source: str, holds: Sequence[MovedHold] | None, lot_ids: Sequence[str] | None
) -> tuple[list[Any], Sequence[str] | None]:
    """The open holds to move (an undo: those of the merge's still open) and the lots to move (an
    undo: with the reborn lots of the merge's holds voided since, which got their points back)."""
    store = ledger.store
    open_holds = store.active_holds(source)
    if holds is None:
        return open_holds, lot_ids
    wanted = {h.hold_id for h in holds}
    voided = [lot for h in holds if _state(ledger, h.hold_id) == "voided" for lot in h.lots]
    return [h for h in open_holds if h.id in wanted], [*(lot_ids or ()), *voided]


def _state(ledger: Ledger, hold_id: str) -> str | None:
    row = ledger.store.hold(hold_id)
    return None if row is None else str(row.state)


def _debt_to_settle(ledger: Ledger, source: str, target: str) -> int:
    store = ledger.store
    owed = max(0, -(store.balance(chart.member_points(source)) or 0))
    if owed and (store.balance(chart.member_points(target)) or 0) < owed:
        raise TransferRefused(
            "the survivor's points do not cover the absorbed member's debt", debt=owed, member=target
        )
    return owed


def _rebirth(
    lots: list[Lot], target: str, entry_id: str, consumptions: list[tuple[str, str, int]]
) -> tuple[list[tuple[Lot, str]], list[MovedLot]]:
    """Each lot drawn to the target (rows added to ``consumptions``) and reborn there, as it was."""
    reborn: list[tuple[Lot, str]] = []
    moved: list[MovedLot] = []
    for lot in lots:
        is_pending = lot.state is LotState.PENDING
        to = chart.member_pending(target) if is_pending else chart.member_points(target)
        consumptions.append((lot.id, to, lot.remaining))
        new_lot = replace(lot, id=new_id("lot"), member_id=target, amount=lot.remaining)
        reborn.append((new_lot, entry_id))
        moved.append(MovedLot(lot.id, new_lot.id, lot.issuer, lot.remaining, is_pending))
    return reborn, moved


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
