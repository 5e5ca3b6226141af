"""The lottery's errors: one class per condition, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import Conflict, InvalidInput, NotFound, RuleViolation


class LotteryInvalid(InvalidInput):
    """The lottery campaign is not valid."""

    code = "lottery.invalid"


class LotteryNotFound(NotFound):
    """No such lottery campaign."""

    code = "lottery.not_found"


class LotteryNotOpen(RuleViolation):
    """The lottery is not open now."""

    code = "lottery.not_open"


class LotteryNotEligible(RuleViolation):
    """This lottery is not open to your tier."""

    code = "lottery.not_eligible"


class DrawLimitReached(RuleViolation):
    """You have used every draw allowed."""

    code = "lottery.draw_limit_reached"


class SeedNotRevealable(Conflict):
    """The seed is revealed only once the lottery has ended."""

    code = "lottery.seed_not_revealable"
