"""Receipts as stored in the counter's rows (JSON) and read back as typed values."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from guildcard.counter.domain.receipts import PurchaseReceipt, RefundReceipt

_PURCHASE = TypeAdapter(PurchaseReceipt)
_REFUND = TypeAdapter(RefundReceipt)


def dump_purchase(receipt: PurchaseReceipt) -> dict[str, Any]:
    stored: dict[str, Any] = _PURCHASE.dump_python(receipt, mode="json")
    return stored


def load_purchase(stored: Any, **current: Any) -> PurchaseReceipt:
    """The stored receipt with the row's current figures (status, refunded) laid over it."""
    return _PURCHASE.validate_python(dict(stored) | current)


def dump_refund(receipt: RefundReceipt) -> dict[str, Any]:
    stored: dict[str, Any] = _REFUND.dump_python(receipt, mode="json")
    return stored


def load_refund(stored: Any) -> RefundReceipt:
    return _REFUND.validate_python(stored)
