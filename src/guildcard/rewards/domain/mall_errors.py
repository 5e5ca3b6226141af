"""The points mall's errors: one class per condition, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation


class MallItemInvalid(InvalidInput):
    """The mall item is not valid."""

    code = "mall.item_invalid"


class MallItemNotFound(NotFound):
    """No such mall item."""

    code = "mall.item_not_found"


class ItemNotVisible(RuleViolation):
    """This item is not offered to your tier."""

    code = "mall.item_not_visible"


class ItemNotOnSale(RuleViolation):
    """This item is not on sale now."""

    code = "mall.item_not_on_sale"


class SoldOut(Conflict):
    """This item is sold out."""

    code = "mall.sold_out"


class MemberLimitReached(RuleViolation):
    """You have reached the limit for this item."""

    code = "mall.member_limit_reached"


class MallOrderNotFound(NotFound):
    """No such mall order."""

    code = "mall.order_not_found"


class OrderNotOpen(Conflict):
    """The mall order is no longer waiting (picked up, shipped, cancelled or expired)."""

    code = "mall.order_not_open"


class WrongDelivery(RuleViolation):
    """The mall order is not delivered this way."""

    code = "mall.wrong_delivery"


class NotTheSupplier(PermissionDenied):
    """Only the supplying merchant's own stores may fulfil this order."""

    code = "mall.not_the_supplier"


class AddressRequired(InvalidInput):
    """A shipped item needs a delivery address."""

    code = "mall.address_required"


class AddressInvalid(InvalidInput):
    """The delivery address is not complete."""

    code = "mall.address_invalid"


class ShippingInvalid(InvalidInput):
    """Enter the carrier and the tracking number."""

    code = "mall.shipping_invalid"
