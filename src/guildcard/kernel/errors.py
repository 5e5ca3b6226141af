"""The one error hierarchy.

Every error GuildCard raises on purpose derives from ``GuildCardError`` through one
of the *kinds* below. Each concrete error has a stable ``code`` (clients switch on
it) and a docstring that is its default message. The API maps each kind to one HTTP
status in ``guildcard.api.problems``; nothing below the entry points knows HTTP.

Contexts declare their own errors as subclasses of a kind, e.g.::

    class InsufficientPoints(RuleViolation):
        \"\"\"The member does not have enough points.\"\"\"
        code = "ledger.insufficient_points"
"""

from __future__ import annotations

from typing import Any, ClassVar


class GuildCardError(Exception):
    """Something went wrong."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or (self.__doc__ or self.code).strip().splitlines()[0]
        self.details = details
        super().__init__(self.message)


# --- kinds -------------------------------------------------------------------------


class InvalidInput(GuildCardError):
    """The request is not valid."""

    code = "invalid_input"


class NotFound(GuildCardError):
    """No such object."""

    code = "not_found"


class Conflict(GuildCardError):
    """The request conflicts with the current state."""

    code = "conflict"


class RuleViolation(GuildCardError):
    """The request breaks a business rule."""

    code = "rule_violation"


class Unauthenticated(GuildCardError):
    """Sign-in is required."""

    code = "unauthenticated"


class PermissionDenied(GuildCardError):
    """You may not do this."""

    code = "permission_denied"


class RateLimited(GuildCardError):
    """Too many attempts; try again later."""

    code = "rate_limited"


class Unavailable(GuildCardError):
    """A dependency is unavailable; try again later."""

    code = "unavailable"


# --- errors shared by every context ------------------------------------------------


class IdempotencyConflict(Conflict):
    """This idempotency key was already used for a different request."""

    code = "idempotency_conflict"


class CommitOutcomeUnknown(Unavailable):
    """The connection to the database dropped while saving; retry with the same Idempotency-Key."""

    code = "commit_outcome_unknown"


class SchemaOutdated(Unavailable):
    """The database schema is not current; run `guildcard db upgrade`."""

    code = "schema_outdated"


class InsecureSettings(GuildCardError):
    """The settings are not safe for this environment."""

    code = "insecure_settings"
