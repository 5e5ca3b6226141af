"""Settlement's errors: one class per condition, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
    Unavailable,
)


class InvalidPeriod(InvalidInput):
    """A period is a month (2026-11), an ISO week (2026-W48) or a day (2026-11-23)."""

    code = "settlement.invalid_period"


class StatementNotFound(NotFound):
    """No such settlement statement."""

    code = "settlement.statement_not_found"


class MerchantNotFound(NotFound):
    """No such merchant in this alliance."""

    code = "settlement.merchant_not_found"


class EntryNotInStatement(NotFound):
    """This entry is not behind that statement."""

    code = "settlement.entry_not_in_statement"


class IssuanceLimitExceeded(RuleViolation):
    """This award would take the merchant beyond its points issuance limit for the period."""

    code = "settlement.issuance_limit_exceeded"


class PeriodNotOver(RuleViolation):
    """A period can be closed only after it has ended."""

    code = "settlement.period_not_over"


class EarlierPeriodOpen(RuleViolation):
    """An earlier period with activity is still open: close the periods in time order."""

    code = "settlement.earlier_period_open"


class NotAllowed(PermissionDenied):
    """Only the alliance's operators may do this."""

    code = "settlement.not_allowed"


class TermsMissing(Unavailable):
    """No settlement terms are in force for this merchant at that time."""

    code = "settlement.terms_missing"


class ConcurrentClose(Conflict):
    """Another close of this period is running; try again."""

    code = "settlement.concurrent_close"


class PortsMissing(Unavailable):
    """Settlement needs the alliance's contract terms and the counter's member sales; they are not wired."""

    code = "settlement.ports_missing"
