"""Insights' errors: one class per condition, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import InvalidInput, NotFound, PermissionDenied


class BadPeriod(InvalidInput):
    """A period: month 2026-11, week 2026-W48, quarter 2026-Q4, day 2026-11-23, or 2026-10-01..2026-11-15."""

    code = "insights.bad_period"


class BadScope(InvalidInput):
    """A scope is alliance, trade:CODE, merchant:ID or store:ID."""

    code = "insights.bad_scope"


class BadDailyTotal(InvalidInput):
    """A daily total needs whole numbers of orders, fen and items, none negative."""

    code = "insights.bad_daily_total"


class WalkInConflict(InvalidInput):
    """This order number was already used for another walk-in sale."""

    code = "insights.walk_in_conflict"


class BadRule(InvalidInput):
    """This tag rule is not a valid expression over member facts."""

    code = "insights.bad_rule"


class SegmentNotFound(NotFound):
    """No such segment."""

    code = "insights.segment_not_found"


class TagNotFound(NotFound):
    """No such tag."""

    code = "insights.tag_not_found"


class InsightsNotAllowed(PermissionDenied):
    """You may not see these member figures."""

    code = "insights.not_allowed"


class ClvUnavailable(InvalidInput):
    """Lifetime value needs the optional clv extra (pip install guildcard[clv])."""

    code = "insights.clv_unavailable"


class TooFewCustomers(InvalidInput):
    """Too few customers with repeat purchases to fit a lifetime-value model."""

    code = "insights.too_few_customers"
