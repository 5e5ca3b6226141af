"""A coupon template from a merchant's or an operator's form (the same fields on both pages)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.datastructures import FormData

from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.kernel.money import parse_yuan
from guildcard.rewards.domain.coupons import ClaimWay, CouponKind


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _yuan(form: FormData, name: str) -> int:
    value = _text(form, name)
    return parse_yuan(value) if value else 0


def _int(form: FormData, name: str, default: int) -> int:
    value = _text(form, name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInput("A whole number is expected.", field=name) from exc


def template_fields(form: FormData, *, issuer_merchant_id: str | None) -> dict[str, Any]:
    """The ``create_template`` fields a coupon form posts (amounts in yuan, counts as numbers)."""
    kind = _text(form, "kind")
    if kind not in {k.value for k in CouponKind}:
        raise InvalidInput("A whole number is expected.", field="kind")
    ways = [ClaimWay.CENTRE]
    if _int(form, "points_price", 0) > 0:
        ways = [ClaimWay.POINTS]
    if _text(form, "staff_issue"):
        ways.append(ClaimWay.STAFF)
    ways.append(ClaimWay.GIFT)
    return {
        "name": _text(form, "name"), "kind": CouponKind(kind), "issuer_merchant_id": issuer_merchant_id,
        "value_fen": _yuan(form, "value"), "percent_off": _int(form, "percent_off", 0),
        "cap_fen": _yuan(form, "cap"), "threshold_fen": _yuan(form, "threshold"), "item": _text(form, "item"),
        "total": _int(form, "total", -1), "per_member_limit": _int(form, "per_member_limit", 1),
        "valid_days": _int(form, "valid_days", 30), "points_price": _int(form, "points_price", 0),
        "transferable": bool(_text(form, "transferable")),
        "stackable_with_points": not _text(form, "not_with_points"), "ways": ways,
        "trades": [t for t in form.getlist("trades") if isinstance(t, str) and t],
        "description": _text(form, "description"),
    }  # fmt: skip


# The template's fields as the form names them (amounts are typed in yuan).
_FORM_FIELDS = {"value_fen": "value", "cap_fen": "cap", "threshold_fen": "threshold"}


@contextmanager
def named_for_the_form() -> Iterator[None]:
    """An error about a template field names the form's field instead, so the page marks it."""
    try:
        yield
    except GuildCardError as error:
        field = error.details.get("field")
        if isinstance(field, str) and field in _FORM_FIELDS:
            error.details["field"] = _FORM_FIELDS[field]
        raise
