"""How a statement line and its drill-down read to a merchant: yuan, points, counts and rates.

Statement lines keep their quantities in the unit the ledger counts (points; fen for member
sales; a count of redemptions or entries) and their unit prices as exact fen. This module
turns them into what a person checks: ``¥17,484.45 × 3.00%``, ``1,200 积分 × ¥0.01``,
``1 项 × ¥2,000.00``, in the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guildcard.kernel.money import format_fen
from guildcard.settlement.domain.statement import Component, Line

_POINT_COMPONENTS = (Component.ISSUE, Component.REIMBURSEMENT, Component.GRANT_FUNDED, Component.BREAKAGE)


def _zh(language: str) -> bool:
    return not language.startswith("en")


def points_text(points: int, language: str) -> str:
    return f"{points:,} 积分" if _zh(language) else f"{points:,} pts"


def yuan_of_fen(value: Decimal) -> str:
    """An exact price in fen as yuan, without trailing zeros beyond two decimals: 1.25 -> ¥0.0125."""
    yuan = value / 100
    text = f"{yuan:,.4f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"¥{whole}.{decimals.ljust(2, '0')}"


def percent(rate: Decimal) -> str:
    text = f"{rate * 100:.4f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}%"


@dataclass(frozen=True)
class LineText:
    quantity: str
    unit_price: str


def line_text(line: Line, language: str) -> LineText:
    """The quantity and the unit price of a line as a merchant reads them."""
    zh = _zh(language)
    match line.component:
        case c if c in _POINT_COMPONENTS:
            unit = "/积分" if zh else "/pt"
            return LineText(points_text(line.quantity, language), yuan_of_fen(line.unit_price) + unit)
        case Component.COMMISSION:
            return LineText(format_fen(line.quantity), percent(line.unit_price))
        case Component.REDEMPTION_FEE:
            count = f"{line.quantity:,} 次" if zh else f"{line.quantity:,} redemptions"
            return LineText(count, yuan_of_fen(line.unit_price) + ("/次" if zh else " each"))
        case Component.ENTRY_FEE:
            count = f"{line.quantity:,} 项" if zh else f"{line.quantity:,} contract"
            return LineText(count, yuan_of_fen(line.unit_price))
        case _:  # direct lines: a count of entries, already money
            return LineText(f"{line.quantity:,} 笔" if zh else f"{line.quantity:,} entries", "")


def quantity_header(component: Component, language: str) -> str:
    """The drill-down's quantity column: points, yuan or a count."""
    zh = _zh(language)
    if component in _POINT_COMPONENTS:
        return "积分" if zh else "Points"
    if component in (Component.COMMISSION, Component.DIRECT):
        return "金额" if zh else "Amount"
    return "次数" if zh else "Count"


def drill_quantity(component: Component, quantity: int, language: str) -> str:
    if component in _POINT_COMPONENTS:
        return points_text(quantity, language)
    if component in (Component.COMMISSION, Component.DIRECT):
        return format_fen(quantity)
    return f"{quantity:,}"


def corrects_note(period_key: str | None, language: str) -> str:
    """A row of an earlier, closed period billed here."""
    if not period_key:
        return ""
    return f"更正 {period_key}（迟到的记录）" if _zh(language) else f"corrects {period_key} (recorded late)"
