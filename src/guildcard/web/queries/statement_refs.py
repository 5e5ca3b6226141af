"""A statement's drill-down as a merchant reads it: order numbers, Shanghai times, time order.

The settlement service names each row by its ledger entry, member sale or contract version;
this reads, through the ledger's and the counter's queries, what that is to a person: the
order (or refund) number of the purchase behind it, or what kind of entry it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.counter import queries as counter
from guildcard.ledger.queries import settlement as ledger
from guildcard.settlement.domain.statement import Component
from guildcard.settlement.service import DrillItem
from guildcard.web.statement_view import corrects_note, drill_quantity

# What an entry without a purchase behind it is (zh-CN, en).
_KINDS: dict[str, tuple[str, str]] = {
    "award": ("积分发放", "points awarded"),
    "award_pending": ("积分发放（待生效）", "points awarded (pending)"),
    "release": ("待生效积分生效", "pending points released"),
    "spend": ("积分消费", "points spent"),
    "hold_commit": ("积分消费", "points spent"),
    "reversal": ("退款冲回", "refund reversal"),
    "expiry": ("积分过期", "points expired"),
    "adjustment": ("人工调整", "manual adjustment"),
}


@dataclass(frozen=True)
class DrillRow:
    at: datetime
    voucher: str  # order number, refund number, or what the entry is
    quantity: str
    note: str


def _text(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language.startswith("en") else pair[0]


def drill_rows(
    conn: Connection, alliance_id: str, component: Component, items: Iterable[DrillItem], language: str
) -> list[DrillRow]:
    """The settlement service's drill items (``DrillItem``) as rows, oldest first."""
    listed = list(items)
    entry_ids = [i.ref for i in listed if i.kind == "entry"]
    refs = ledger.entry_references(conn, alliance_id, entry_ids)
    wanted = [i.ref for i in listed if i.kind == "sale"]
    wanted += [reference for _kind, reference in refs.values() if reference]
    vouchers = counter.vouchers(conn, alliance_id, wanted)
    rows = []
    for item in listed:
        ref, kind, at = item.ref, item.kind, item.occurred_at
        if kind == "sale":
            found = vouchers.get(ref)
            voucher = _voucher(found, language) if found else ref
            at = found.at if found else at
        elif kind == "terms":
            voucher = _text(("合同版本 ", "contract version "), language) + ref
        else:
            entry_kind, reference = refs.get(ref, ("", None))
            found = vouchers.get(reference or "")
            voucher = (
                _voucher(found, language)
                if found
                else _text(_KINDS.get(entry_kind, (entry_kind, entry_kind)), language)
            )
        rows.append(
            DrillRow(
                at,
                voucher,
                drill_quantity(component, item.quantity, language),
                corrects_note(item.corrects, language),
            )
        )
    return sorted(rows, key=lambda r: (r.at, r.voucher))


def _voucher(found: counter.Voucher, language: str) -> str:
    if found.is_refund:
        return _text(("退款 ", "refund "), language) + found.number
    return _text(("订单 ", "order "), language) + found.number
