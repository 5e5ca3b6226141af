"""Moving a member's open holds (two-phase: a pending mall order or redemption) to another member.

A hold's points were drawn from the source's lots toward the hold's target by the hold's entry; a
commit spends them there, a void gives them back to the lots that entry drew from. To move it, one
``hold_transfer`` entry per hold moves ``member:S:held`` to ``member:T:held`` and draws, toward the
hold's target, lots reborn for the target (same issuer, availability and expiry, nothing left in
them); the member transfer entry un-draws the source's lots from the target and draws them to the
target's points account, so every lot's trail still sums. The hold then names the target and the
new entry: a commit spends from the target's held points, a void (or the commit's reversal) gives
the points back to the target's reborn lots, an expired share to breakage, as for any hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from guildcard.kernel.errors import RuleViolation
from guildcard.kernel.ids import new_id
from guildcard.ledger.domain import entries as chart
from guildcard.ledger.domain.entries import Posting, Unit
from guildcard.ledger.domain.lots import Lot, LotState
from guildcard.ledger.service import Ledger

KIND = "hold_transfer"


@dataclass(frozen=True)
class MovedHold:
    hold_id: str
    amount: int
    entry_id: str  # the hold's drawing entry from now on
    lots: tuple[str, ...]  # the target's reborn lots it drew


def move_holds(
    ledger: Ledger, transfer_entry: str, holds: Sequence[Any], *, source: str, target: str, key: str,
    reference: str | None,
) -> tuple[list[MovedHold], list[tuple[str, str, int]]]:  # fmt: skip
    """Move these active holds of ``source``; (what moved, the transfer entry's consumption rows)."""
    store, now = ledger.store, ledger.clock.now()
    moved: list[MovedHold] = []
    undrawn: list[tuple[str, str, int]] = []
    for hold in holds:
        amount = int(hold.amount)
        net = store.net_drawn([hold.hold_entry_id], hold.target)
        drawn = store.lots_by_id(net)
        header = ledger._header(KIND, target, hold.target, amount, reference, None)
        if ledger._claim(header, "hold_transfer", f"{key}:{hold.id}", {"hold": hold.id, "to": target}):
            raise TransferRefused("this hold was moved before", hold=hold.id)
        reborn = [
            (
                Lot(new_id("lot"), target, lot.issuer, net[lot.id], 0, lot.available_at, lot.expires_at,
                    LotState.ACTIVE),
                header.id,
            )
            for lot in sorted(drawn.values(), key=lambda x: x.id)
        ]  # fmt: skip
        store.add_lots(reborn)
        store.record_consumptions(header.id, target, [(lot.id, hold.target, lot.amount) for lot, _ in reborn])
        for lot_id, x in net.items():
            undrawn += [(lot_id, hold.target, -x), (lot_id, chart.member_points(target), x)]
        if not store.reassign_hold(hold.id, member_id=source, to=target, hold_entry_id=header.id):
            raise TransferRefused("a hold was committed or voided while moving it", hold=hold.id)
        held_from, held_to = chart.member_held(source), chart.member_held(target)
        if store.debit(held_from, Unit.POINT.value, amount, floor=0, now=now) is None:
            raise TransferRefused("the held points changed while moving them", hold=hold.id)
        store.credit(held_to, Unit.POINT.value, amount, now)
        ledger._append(
            header.with_postings(
                (Posting(held_from, Unit.POINT, -amount), Posting(held_to, Unit.POINT, amount))
            )
        )
        moved.append(MovedHold(hold.id, amount, header.id, tuple(lot.id for lot, _ in reborn)))
    return moved, undrawn


class TransferRefused(RuleViolation):
    """The member's points cannot be moved (a debt, open holds, or moved value that is gone).

    Raised when the target cannot cover the source's debt, a hold changed while it was moved, or
    moved value is gone by the time of an undo."""

    code = "ledger.transfer_refused"
