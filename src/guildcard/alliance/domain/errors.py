"""The alliance context's errors: one class per condition, with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    RuleViolation,
    Unauthenticated,
)


class InvalidCreditCode(InvalidInput):
    """This is not a valid unified social credit code (统一社会信用代码)."""

    code = "alliance.invalid_credit_code"


class UnknownTradeCategory(InvalidInput):
    """This trade category (业态) is not on the alliance's list."""

    code = "alliance.unknown_trade_category"


class InvalidCoordinates(InvalidInput):
    """Coordinates must be a latitude in [-90, 90] and a longitude in [-180, 180]."""

    code = "alliance.invalid_coordinates"


class TermsOutOfLimits(InvalidInput):
    """A contract term is outside the alliance's limits."""

    code = "alliance.terms_out_of_limits"


class InvalidEffectiveDate(InvalidInput):
    """New contract terms take effect today or later, never in the past."""

    code = "alliance.invalid_effective_date"


class WeakPassword(InvalidInput):
    """A password needs at least 10 characters."""

    code = "alliance.weak_password"


class InvalidStoreAssignment(InvalidInput):
    """A cashier works at one or more of the merchant's own stores."""

    code = "alliance.invalid_store_assignment"


class InvalidScope(InvalidInput):
    """Unknown POS key scope."""

    code = "alliance.invalid_scope"


class AllianceNotFound(NotFound):
    """No such alliance."""

    code = "alliance.alliance_not_found"


class ObjectNotFound(NotFound):
    """No such object."""

    code = "not_found"


class DuplicateCreditCode(Conflict):
    """A merchant with this credit code has already applied to this alliance."""

    code = "alliance.duplicate_credit_code"


class DuplicateLogin(Conflict):
    """This login name is already taken in this alliance."""

    code = "alliance.duplicate_login"


class DuplicateAllianceCode(Conflict):
    """An alliance with this code already exists."""

    code = "alliance.duplicate_code"


class DuplicateContractDate(Conflict):
    """Terms already take effect on this date; choose another date."""

    code = "alliance.duplicate_contract_date"


class InvalidTransition(RuleViolation):
    """This object cannot make that transition from its current status."""

    code = "alliance.invalid_transition"


class MerchantSuspended(RuleViolation):
    """The merchant is suspended: members cannot earn or redeem there."""

    code = "alliance.merchant_suspended"


class NoContract(RuleViolation):
    """No contract terms are in force for this merchant at that time."""

    code = "alliance.no_contract"


class LastOwner(RuleViolation):
    """A merchant keeps at least one active owner."""

    code = "alliance.last_owner"


class Forbidden(PermissionDenied):
    """Your role does not allow this."""

    code = "permission_denied"


class BadCredentials(Unauthenticated):
    """Wrong login or password."""

    code = "alliance.bad_credentials"


class InvalidActivationToken(Unauthenticated):
    """The activation token is unknown, used or expired."""

    code = "alliance.invalid_activation_token"


class InvalidApplicantToken(NotFound):
    """No such application, or the applicant token does not match."""

    code = "not_found"


class TooManyLoginAttempts(RateLimited):
    """Too many sign-in attempts; try again later."""

    code = "alliance.too_many_login_attempts"


class TooManyApplications(RateLimited):
    """Too many applications from this address; try again later."""

    code = "alliance.too_many_applications"
