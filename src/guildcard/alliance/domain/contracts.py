"""Contract terms per merchant, within the alliance's limits, with history.

A merchant's terms are a list of versions, each in force from its ``effective_from``
instant until the next one; settlement asks which terms were in force at a moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation

from guildcard.alliance.domain.errors import NoContract, TermsOutOfLimits


@dataclass(frozen=True)
class ContractTerms:
    points_per_yuan: Decimal  # points a member earns per yuan spent here
    issue_price_fen_per_point: Decimal  # what the merchant pays the alliance per point it awards
    reimbursement_fen_per_point: Decimal  # what the alliance pays the merchant per point redeemed here
    commission_rate: Decimal  # share of member sales owed to the alliance, 0.03 = 3 %
    member_discount: Decimal  # discount members get, 0.05 = 5 % off
    entry_fee_fen: int  # one-off fee for joining the alliance

    def as_strings(self) -> dict[str, str | int]:
        return {
            f.name: getattr(self, f.name) if f.name == "entry_fee_fen" else str(getattr(self, f.name))
            for f in fields(self)
        }

    @classmethod
    def from_mapping(cls, raw: dict[str, object]) -> ContractTerms:
        values = {f.name: raw[f.name] for f in fields(cls)}
        entry_fee = values.pop("entry_fee_fen")
        if isinstance(entry_fee, bool) or not isinstance(entry_fee, int):
            raise TermsOutOfLimits("entry_fee_fen is an integer number of fen", field="entry_fee_fen")
        return cls(entry_fee_fen=entry_fee, **{k: _decimal(k, v) for k, v in values.items()})


def _decimal(name: str, raw: object) -> Decimal:
    """A term as an exact, finite decimal; anything else is the caller's mistake, not a 500."""
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise TermsOutOfLimits(f"{name} is a decimal number", field=name) from exc
    if not value.is_finite():
        raise TermsOutOfLimits(f"{name} is a decimal number", field=name)
    return value


@dataclass(frozen=True)
class Bounds:
    minimum: Decimal
    maximum: Decimal

    def holds(self, value: Decimal | int) -> bool:
        return self.minimum <= value <= self.maximum


TERM_NAMES = tuple(f.name for f in fields(ContractTerms))


@dataclass(frozen=True)
class ContractLimits:
    """Inclusive bounds for each term, set by the alliance."""

    bounds: dict[str, Bounds]

    def check(self, terms: ContractTerms) -> None:
        for name in TERM_NAMES:
            value = getattr(terms, name)
            bounds = self.bounds.get(name)
            if bounds is not None and not bounds.holds(value):
                raise TermsOutOfLimits(
                    f"{name} must be between {bounds.minimum} and {bounds.maximum}",
                    field=name,
                    minimum=str(bounds.minimum),
                    maximum=str(bounds.maximum),
                )

    def as_strings(self) -> dict[str, dict[str, str]]:
        return {k: {"minimum": str(b.minimum), "maximum": str(b.maximum)} for k, b in self.bounds.items()}

    @classmethod
    def from_strings(cls, raw: dict[str, dict[str, str]]) -> ContractLimits:
        unknown = set(raw) - set(TERM_NAMES)
        if unknown:
            raise TermsOutOfLimits(f"unknown terms: {', '.join(sorted(unknown))}")
        bounds = {k: Bounds(Decimal(str(v["minimum"])), Decimal(str(v["maximum"]))) for k, v in raw.items()}
        if any(b.minimum > b.maximum or b.minimum < 0 for b in bounds.values()):
            raise TermsOutOfLimits("each minimum is non-negative and at most its maximum")
        return cls(bounds)


DEFAULT_LIMITS = ContractLimits.from_strings(
    {
        "points_per_yuan": {"minimum": "0", "maximum": "10"},
        "issue_price_fen_per_point": {"minimum": "0", "maximum": "10"},
        "reimbursement_fen_per_point": {"minimum": "0", "maximum": "10"},
        "commission_rate": {"minimum": "0", "maximum": "0.30"},
        "member_discount": {"minimum": "0", "maximum": "0.50"},
        "entry_fee_fen": {"minimum": "0", "maximum": "10000000"},
    }
)


@dataclass(frozen=True)
class ContractVersion:
    id: str
    merchant_id: str
    effective_from: datetime
    terms: ContractTerms
    created_at: datetime
    created_by: str


def version_in_force(versions: Iterable[ContractVersion], at: datetime) -> ContractVersion:
    """The version with the latest ``effective_from`` not after ``at``; raises ``NoContract``."""
    candidates = [v for v in versions if v.effective_from <= at]
    if not candidates:
        raise NoContract(at=at.isoformat())
    return max(candidates, key=lambda v: v.effective_from)
