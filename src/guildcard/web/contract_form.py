"""The operator's contract-terms form in the units people think in: the entry fee in yuan, the
commission and the member discount in percent. Terms are stored as they always were (fen,
fractions); this module converts both ways and words the example a set of terms produces."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from guildcard.alliance.domain.contracts import TERM_NAMES, Bounds, ContractTerms
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.money import parse_yuan

PERCENT_TERMS = ("commission_rate", "member_discount")
# form field -> stored term
FIELDS = {name: name for name in TERM_NAMES if name != "entry_fee_fen"} | {"entry_fee_yuan": "entry_fee_fen"}
EXAMPLE_BILL_FEN = 100_00


@dataclass(frozen=True)
class Example:
    """What a ¥100 member purchase means under some terms (all money in fen)."""

    bill_fen: int
    points: int
    issue_cost_fen: int
    commission_fen: int
    discount_fen: int


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def _yuan(fen: int | Decimal) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def shown(terms: ContractTerms) -> dict[str, str]:
    """The form's values for ``terms``: yuan and percent where the form asks for them."""
    values = {field: str(getattr(terms, term)) for field, term in FIELDS.items() if term != "entry_fee_fen"}
    for name in PERCENT_TERMS:
        values[name] = _plain(getattr(terms, name) * 100)
    values["entry_fee_yuan"] = _yuan(terms.entry_fee_fen)
    return values


def shown_bounds(bounds: dict[str, Bounds]) -> dict[str, tuple[str, str]]:
    """Each field's allowed range in the form's units."""
    found: dict[str, tuple[str, str]] = {}
    for field, term in FIELDS.items():
        b = bounds.get(term)
        if b is None:
            continue
        if term in PERCENT_TERMS:
            found[field] = (_plain(b.minimum * 100), _plain(b.maximum * 100))
        elif term == "entry_fee_fen":
            found[field] = (_yuan(b.minimum), _yuan(b.maximum))
        else:
            found[field] = (_plain(b.minimum), _plain(b.maximum))
    return found


def parse(values: dict[str, str]) -> ContractTerms:
    """Terms from the form's text; a mistake names its field."""
    raw: dict[str, object] = {}
    for field, term in FIELDS.items():
        text = values.get(field, "").strip().removesuffix("%").removeprefix("¥").strip()
        if term == "entry_fee_fen":
            fen = parse_yuan(text or "0", field=field)  # its errors name the field and read in Chinese
            if fen < 0:
                raise InvalidInput("The entry fee is an amount in yuan, 0 or more.", field=field)
            raw[term] = int(fen)
            continue
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation as exc:
            raise InvalidInput("Every term is a number.", field=field) from exc
        if not number.is_finite() or number < 0:
            raise InvalidInput("Every term is a number.", field=field)
        if term in PERCENT_TERMS:
            if number > 100:
                raise InvalidInput("A rate is a percentage between 0 and 100.", field=field)
            number = number / 100
        raw[term] = number
    return ContractTerms.from_mapping(raw)


def out_of_limits(term: str) -> InvalidInput:
    """The alliance's range was missed: name the form field (its label shows the range)."""
    field = next((f for f, t in FIELDS.items() if t == term), term)
    return InvalidInput("This term is outside the range the alliance allows.", field=field)


def example(terms: ContractTerms) -> Example:
    bill = Decimal(EXAMPLE_BILL_FEN)
    points = int((bill / 100 * terms.points_per_yuan).to_integral_value(rounding="ROUND_FLOOR"))

    def fen(value: Decimal) -> int:
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    return Example(
        bill_fen=EXAMPLE_BILL_FEN,
        points=points,
        issue_cost_fen=fen(points * terms.issue_price_fen_per_point),
        commission_fen=fen(bill * terms.commission_rate),
        discount_fen=fen(bill * terms.member_discount),
    )
