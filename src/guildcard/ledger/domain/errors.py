"""Every condition the ledger refuses, one class each, with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import Conflict, InvalidInput, NotFound, RuleViolation


class UnbalancedEntry(InvalidInput):
    """The postings of an entry do not sum to zero for each unit."""

    code = "ledger.unbalanced_entry"


class InvalidAmount(InvalidInput):
    """An amount must be a positive whole number."""

    code = "ledger.invalid_amount"


class InvalidAccount(InvalidInput):
    """This account cannot be used here."""

    code = "ledger.invalid_account"


class LedgerNotOpen(NotFound):
    """The alliance has no ledger yet; open it first."""

    code = "ledger.not_open"


class EntryNotFound(NotFound):
    """No such ledger entry."""

    code = "ledger.entry_not_found"


class HoldNotFound(NotFound):
    """No such hold."""

    code = "ledger.hold_not_found"


class InsufficientPoints(RuleViolation):
    """The member does not have enough available points."""

    code = "ledger.insufficient_points"


class NegativeLimitExceeded(RuleViolation):
    """This would take the balance below what the alliance's negative-balance policy allows."""

    code = "ledger.negative_limit_exceeded"


class HoldNotActive(Conflict):
    """The hold was already committed, voided or expired."""

    code = "ledger.hold_not_active"


class AlreadyReversed(Conflict):
    """This entry was already reversed in full."""

    code = "ledger.already_reversed"


class ReversalExceedsOriginal(RuleViolation):
    """The reversals of an entry cannot exceed the entry itself."""

    code = "ledger.reversal_exceeds_original"


class NotReversible(InvalidInput):
    """This kind of entry cannot be reversed."""

    code = "ledger.not_reversible"


class LedgerAlreadyOpen(Conflict):
    """The alliance's ledger is already open."""

    code = "ledger.already_open"
