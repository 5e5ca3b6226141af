"""Check-in's errors: one class per condition, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import InvalidInput, RuleViolation


class CheckinRulesInvalid(InvalidInput):
    """The check-in rules are not valid."""

    code = "checkin.rules_invalid"


class CheckinClosed(RuleViolation):
    """Check-in is not open in this alliance."""

    code = "checkin.closed"


class MakeupNotAllowed(RuleViolation):
    """A make-up check-in is only for a missed day earlier this month."""

    code = "checkin.makeup_not_allowed"


class MakeupLimitReached(RuleViolation):
    """You have used every make-up check-in of this month."""

    code = "checkin.makeup_limit_reached"
