"""Errors of the counter, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import Conflict, InvalidInput, RuleViolation


class InvalidAmount(InvalidInput):
    """The amount must be a positive number of fen within the counter's limit."""

    code = "counter.invalid_amount"


class InvalidCategoryLines(InvalidInput):
    """The category lines must be positive and add up to at most the bill."""

    code = "counter.invalid_category_lines"


class RefundExceedsPaid(RuleViolation):
    """The refund is larger than what remains refundable on this purchase."""

    code = "counter.refund_exceeds_paid"


class BackfillTooOld(RuleViolation):
    """The purchase is older than the alliance allows for backfill."""

    code = "counter.backfill_too_old"


class BackfillInFuture(InvalidInput):
    """A backfilled purchase cannot be dated in the future."""

    code = "counter.backfill_in_future"


class OrderConflict(Conflict):
    """This order number was already recorded with different details."""

    code = "counter.order_conflict"
