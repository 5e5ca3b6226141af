"""The event catalogue: every event a subscriber may receive, its version and its JSON Schema.

An event leaves the system only in its **public form**: the envelope (id, type, version, time,
alliance) and the ``data`` fields its schema lists, nothing else. A field the schema does not
list is dropped, phones are masked, so adding a field to an internal event never leaks it.
Changing the meaning of a field means a new version of the event type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ID = {"type": "string", "description": "An opaque, sortable id."}
FEN = {"type": "integer", "description": "Money in fen (1/100 yuan)."}
POINTS = {"type": "integer", "description": "Points."}
TIME = {"type": "string", "format": "date-time"}
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    description: str
    properties: Mapping[str, Mapping[str, Any]]
    required: tuple[str, ...] = ()
    merchant_scoped: bool = True  # a merchant's subscription receives it when it is about that merchant
    masked: frozenset[str] = field(default_factory=frozenset)  # phone fields shown as 138****1234

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the whole message (envelope and ``data``)."""
        return {
            "$schema": SCHEMA_DIALECT,
            "$id": f"urn:guildcard:event:{self.name}:v{self.version}",
            "title": self.name,
            "description": self.description,
            "type": "object",
            "required": ["id", "type", "version", "timestamp", "alliance_id", "data"],
            "properties": {
                "id": ID,
                "type": {"const": self.name},
                "version": {"const": self.version},
                "timestamp": TIME,
                "alliance_id": ID,
                "data": {
                    "type": "object",
                    "required": list(self.required),
                    "properties": {k: dict(v) for k, v in self.properties.items()},
                    "additionalProperties": False,
                },
            },
        }


def _type(name: str, description: str, required: tuple[str, ...], **props: Mapping[str, Any]) -> EventType:
    return EventType(name, 1, description, props, required)


CATALOGUE: dict[str, EventType] = {
    t.name: t
    for t in (
        _type(
            "counter.purchase_recorded", "A purchase was recorded at a store's counter.",
            ("merchant_id", "store_id", "payable_fen"),
            merchant_id=ID, store_id=ID, member_id=ID, payable_fen=FEN, cash_fen=FEN,
            points_used=POINTS, points_earned=POINTS, source={"type": "string"}, occurred_at=TIME,
        ),
        _type(
            "counter.purchase_refunded", "A purchase was refunded, whole or in part.",
            ("purchase_id", "merchant_id", "amount_fen"),
            purchase_id=ID, merchant_id=ID, store_id=ID, member_id=ID, amount_fen=FEN,
            points_clawed_back=POINTS, points_restored=POINTS, purchase_status={"type": "string"},
        ),
        _type(
            "counter.backfill_requested", "A past purchase was entered for points (补录).",
            ("merchant_id", "amount_fen", "status"),
            merchant_id=ID, store_id=ID, member_id=ID, amount_fen=FEN, status={"type": "string"},
        ),
        EventType(
            "members.member_registered", 1, "A member joined the alliance.",
            {"member_id": ID, "how": {"type": "string"}}, ("member_id",), merchant_scoped=False,
        ),
        EventType(
            "members.consent_changed", 1, "A member gave or withdrew a consent (marketing, terms...).",
            {"member_id": ID, "kind": {"type": "string"}, "granted": {"type": "boolean"}},
            ("member_id", "kind", "granted"), merchant_scoped=False,
        ),
        EventType(
            "counter.points_adjusted", 1, "An operator adjusted a member's points by hand.",
            {"entry_id": ID, "member_id": ID, "points": POINTS}, ("member_id", "points"),
            merchant_scoped=False,
        ),
        EventType(
            "ledger.points_expired", 1, "The expiry run moved unspent points to breakage.",
            {"as_of": {"type": "string", "format": "date"}}, ("as_of",), merchant_scoped=False,
        ),
        _type(
            "alliance.store_created", "A merchant opened a store in the alliance.", ("merchant_id",),
            merchant_id=ID,
        ),
        EventType(
            "automation.webhook_disabled", 1,
            "A webhook subscription was disabled after failing for a day; re-enable it once fixed.",
            {"subscription_id": ID, "merchant_id": ID, "url": {"type": "string"},
             "reason": {"type": "string"}},
            ("subscription_id", "reason"),
        ),
    )
}  # fmt: skip


def public_form(
    *, event_id: str, name: str, occurred_at: datetime, alliance_id: str, payload: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The message a subscriber receives; None for an event that is not in the catalogue."""
    kind = CATALOGUE.get(name)
    if kind is None:
        return None
    data = {k: payload[k] for k in kind.properties if k in payload and payload[k] is not None}
    for key in kind.masked & data.keys():
        data[key] = mask_phone(str(data[key]))
    return {
        "id": event_id,
        "type": name,
        "version": kind.version,
        "timestamp": occurred_at.isoformat(),
        "alliance_id": alliance_id,
        "data": data,
    }


def merchant_of(message: Mapping[str, Any]) -> str | None:
    """The merchant an event is about (its merchant subscribers receive it), if it is merchant scoped."""
    kind = CATALOGUE.get(str(message.get("type")))
    if kind is None or not kind.merchant_scoped:
        return None
    merchant = message.get("data", {}).get("merchant_id")
    return str(merchant) if merchant else None


def mask_phone(e164: str) -> str:
    """``+8613812345678`` -> ``138****5678`` (the privacy module's rule, kept pure here)."""
    national = e164.removeprefix("+86") if e164.startswith("+86") else e164.lstrip("+")
    if len(national) < 8:
        return "*" * len(national)
    return f"{national[:3]}{'*' * (len(national) - 7)}{national[-4:]}"
