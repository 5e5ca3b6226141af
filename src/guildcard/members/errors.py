"""Errors of the members context: one class per condition, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    RuleViolation,
)


class UnknownAlliance(NotFound):
    """No such alliance."""

    code = "members.unknown_alliance"


class MemberNotFound(NotFound):
    """No such member."""

    code = "members.not_found"


class CodeInvalid(InvalidInput):
    """The one-time code is wrong."""

    code = "members.otp_invalid"


class CodeExpired(InvalidInput):
    """The one-time code has expired; request a new one."""

    code = "members.otp_expired"


class CodeExhausted(RuleViolation):
    """Too many wrong attempts for this code; request a new one."""

    code = "members.otp_attempts_exhausted"


class ResendTooSoon(RateLimited):
    """A code was sent moments ago; wait before asking for another."""

    code = "members.otp_resend_too_soon"


class DailyCodeLimit(RateLimited):
    """Too many codes for this phone number today."""

    code = "members.otp_daily_limit"


class TooManyRequests(RateLimited):
    """Too many requests from this address; try again later."""

    code = "members.too_many_requests"


class TermsConsentRequired(RuleViolation):
    """Registering needs consent to the terms (accept_terms with the terms version)."""

    code = "members.terms_consent_required"


class InvalidProfile(InvalidInput):
    """The profile is not valid."""

    code = "members.invalid_profile"


class BirthdayLocked(RuleViolation):
    """Your birthday is already set; ask the alliance's service desk to correct it."""

    code = "members.birthday_locked"


class MemberCodeInvalid(InvalidInput):
    """This member code is not valid here (wrong, expired, or from another alliance)."""

    code = "members.code_invalid"


class MemberCodeAlreadyUsed(Conflict):
    """This member code was already used; ask the member to show the current one."""

    code = "members.code_already_used"


class LookupNotAllowed(PermissionDenied):
    """This member does not allow being looked up by phone number at the counter."""

    code = "members.lookup_not_allowed"


class DuplicateFlagNotFound(NotFound):
    """No such possible-duplicate flag."""

    code = "members.duplicate_not_found"


class DuplicateAlreadyReviewed(Conflict):
    """This pair was already reviewed with another verdict."""

    code = "members.duplicate_already_reviewed"


class OperatorsOnly(PermissionDenied):
    """Only the alliance's operators may do this."""

    code = "members.operators_only"


# --- import, linkage and merge (issue 17) ---------------------------------------------------


class InvalidColumnMapping(InvalidInput):
    """The column mapping or the file's header does not name the fields an import needs."""

    code = "members.import_columns"


class ImportFileUnreadable(InvalidInput):
    """The file is not a CSV or XLSX table that can be read."""

    code = "members.import_unreadable"


class ImportHasBadRows(InvalidInput):
    """An all-or-nothing import refused the file: some rows are bad (each named by row and field)."""

    code = "members.import_bad_rows"


class ImportMerchantUnknown(NotFound):
    """The importing merchant is not a merchant of this alliance."""

    code = "members.import_merchant_unknown"


class ImportNotAllowed(PermissionDenied):
    """Only the merchant's owner, an operator admin or the system may import members."""

    code = "members.import_not_allowed"


class MergeNotAllowed(PermissionDenied):
    """Only an operator admin or reviewer may merge members or undo a merge."""

    code = "members.merge_not_allowed"


class MergeRefused(RuleViolation):
    """The two members cannot be merged (the same member, erased, or already absorbed)."""

    code = "members.merge_refused"


class MergeNotFound(NotFound):
    """No such merge."""

    code = "members.merge_not_found"


class UnmergeRefused(RuleViolation):
    """The merge cannot be undone (too late, already undone, or the moved value is gone)."""

    code = "members.unmerge_refused"


class PairNotFound(NotFound):
    """No such candidate pair of members."""

    code = "members.pair_not_found"


class ImportUploadNotFound(NotFound):
    """The uploaded file is gone (imported already, or more than a day old): upload it again."""

    code = "members.import_upload_not_found"


class ImportFileTooLarge(InvalidInput):
    """The file is too large for the import page: split it, or import it with the command line."""

    code = "members.import_too_large"


# --- membership terms (issue 12 item 13) ----------------------------------------------------


class InvalidTerms(InvalidInput):
    """The terms need a version (up to 32 characters) and a text."""

    code = "members.invalid_terms"


class TermsVersionTaken(Conflict):
    """This terms version was published already: give the new text a new version."""

    code = "members.terms_version_taken"


class ImportBasisMissing(InvalidInput):
    """Say on what basis these members' data is shared with the alliance, and confirm it."""

    code = "members.import_basis_missing"
