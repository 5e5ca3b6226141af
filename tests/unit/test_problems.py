"""Each error kind maps to one HTTP status, in one place."""

import pytest

from guildcard.api.problems import STATUS_BY_KIND, status_for
from guildcard.kernel import errors


class InsufficientPoints(errors.RuleViolation):
    """The member does not have enough points."""

    code = "ledger.insufficient_points"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidInput(), 422),
        (errors.NotFound(), 404),
        (errors.Conflict(), 409),
        (errors.IdempotencyConflict(), 409),
        (InsufficientPoints(), 422),
        (errors.Unauthenticated(), 401),
        (errors.PermissionDenied(), 403),
        (errors.RateLimited(), 429),
        (errors.SchemaOutdated(), 503),
        (errors.GuildCardError(), 500),
    ],
)
def test_status_by_kind(error, status):
    assert status_for(error) == status


def test_a_context_error_keeps_its_code_and_docstring_message():
    error = InsufficientPoints(balance=10)
    assert error.code == "ledger.insufficient_points"
    assert error.message == "The member does not have enough points."
    assert error.details == {"balance": 10}


def test_every_kind_is_mapped():
    kinds = {k for k, _ in STATUS_BY_KIND}
    own_kinds = [k for k in errors.GuildCardError.__subclasses__() if k.__module__ == errors.__name__]
    for kind in own_kinds:
        if kind is not errors.InsecureSettings:  # start-up only, never reaches HTTP
            assert kind in kinds, kind
