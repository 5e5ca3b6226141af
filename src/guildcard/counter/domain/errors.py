"""Errors of the counter, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation


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


class RefundConflict(Conflict):
    """This refund number was already used for another refund."""

    code = "counter.refund_conflict"


class OrderConflict(Conflict):
    """This order number was already recorded with different details."""

    code = "counter.order_conflict"


class PointsExceedBalance(RuleViolation):
    """The member does not have that many points to pay with."""

    code = "counter.points_exceed_balance"


class PointsExceedCap(RuleViolation):
    """Points may not pay that much of this bill (the alliance's share or minimum order)."""

    code = "counter.points_exceed_cap"


class PointsNotWholeStep(InvalidInput):
    """Points pay only in whole steps of the alliance's points value."""

    code = "counter.points_not_whole_step"


class DuplicateOrder(Conflict):
    """This order or receipt number is already recorded for this merchant."""

    code = "counter.duplicate_order"


class PreviewStale(Conflict):
    """The numbers changed since the preview (the balance or the terms moved); preview again."""

    code = "counter.preview_stale"


class MemberRequired(InvalidInput):
    """Give exactly one of a member code or a phone number."""

    code = "counter.member_required"


class ReasonRequired(InvalidInput):
    """A manual adjustment needs a reason of at least a few words."""

    code = "counter.reason_required"


class InvalidAdjustment(InvalidInput):
    """An adjustment moves a non-zero whole number of points within the allowed size."""

    code = "counter.invalid_adjustment"


class PurchaseNotFound(NotFound):
    """No purchase with this order number at this merchant."""

    code = "counter.purchase_not_found"


class BackfillNotFound(NotFound):
    """No such backfill request."""

    code = "counter.backfill_not_found"


class BackfillNotPending(Conflict):
    """This backfill request was already approved or rejected."""

    code = "counter.backfill_not_pending"


class CounterForbidden(PermissionDenied):
    """You may not do this at this store."""

    code = "counter.forbidden"


class StoreNotFound(NotFound):
    """No such store."""

    code = "counter.store_not_found"


class CouponNotUsable(RuleViolation):
    """This coupon cannot be used for this purchase (the details say why)."""

    code = "counter.coupon_not_usable"


class CouponExcludesPoints(RuleViolation):
    """This coupon cannot be combined with paying by points."""

    code = "counter.coupon_excludes_points"


class WalletExceedsBalance(RuleViolation):
    """The member's stored value is less than the amount asked for."""

    code = "counter.wallet_exceeds_balance"


class WalletExceedsBill(RuleViolation):
    """Stored value can pay at most what is left of the bill after coupon and points."""

    code = "counter.wallet_exceeds_bill"


class RefundNeedsManager(RuleViolation):
    """The member already spent these points: a refund below zero needs the owner or a manager.

    ``shortfall_points``: how many points the balance lacks for the clawback.
    """

    code = "counter.refund_needs_manager"


class RefundRequestNotFound(NotFound):
    """No such refund request."""

    code = "counter.refund_request_not_found"


class RefundRequestNotPending(Conflict):
    """This refund request was already decided."""

    code = "counter.refund_request_not_pending"


class RefundCashNotAllowed(RuleViolation):
    """The alliance does not allow refunding the cash minus the value of the spent points."""

    code = "counter.refund_cash_not_allowed"


class RefundBelowZeroNotAllowed(RuleViolation):
    """The alliance blocks negative balances: only the cash minus the spent points' value can be refunded."""

    code = "counter.refund_below_zero_not_allowed"
