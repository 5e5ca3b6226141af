"""The alliance's objects as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from guildcard.alliance.domain.contracts import ContractLimits
from guildcard.alliance.domain.errors import InvalidCoordinates


class OperatorRole(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    FINANCE = "finance"
    VIEWER = "viewer"


class StaffRole(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    CASHIER = "cashier"


class MerchantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class PosScope(StrEnum):
    COUNTER_READ = "counter:read"
    COUNTER_WRITE = "counter:write"


@dataclass(frozen=True)
class TradeCategory:
    code: str
    name: str  # Chinese display name, e.g. 火锅/餐饮
    active: bool = True


@dataclass(frozen=True)
class Alliance:
    id: str
    code: str
    name: str
    city: str
    time_zone: str
    limits: ContractLimits
    created_at: datetime


@dataclass(frozen=True)
class Coordinates:
    """WGS-84 degrees as exact decimals (no floats anywhere near the data)."""

    latitude: Decimal
    longitude: Decimal

    @classmethod
    def parse(cls, latitude: str | Decimal, longitude: str | Decimal) -> Coordinates:
        try:
            lat, lng = Decimal(str(latitude)), Decimal(str(longitude))
        except InvalidOperation as exc:
            raise InvalidCoordinates(field="coordinates") from exc
        if not (lat.is_finite() and lng.is_finite() and -90 <= lat <= 90 and -180 <= lng <= 180):
            raise InvalidCoordinates(field="coordinates")
        return cls(lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001")))


@dataclass(frozen=True)
class Merchant:
    id: str
    alliance_id: str
    name: str
    category: str
    credit_code: str
    legal_representative: str
    status: MerchantStatus
    application_id: str | None
    created_at: datetime

    @property
    def is_active(self) -> bool:
        return self.status is MerchantStatus.ACTIVE


@dataclass(frozen=True)
class Store:
    id: str
    alliance_id: str
    merchant_id: str
    name: str
    address: str
    coordinates: Coordinates
    created_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class StaffAccount:
    id: str
    alliance_id: str
    merchant_id: str
    login: str
    display_name: str
    role: StaffRole
    store_ids: frozenset[str] = field(default_factory=frozenset)
    disabled_at: datetime | None = None
    activated: bool = False


@dataclass(frozen=True)
class Operator:
    id: str
    alliance_id: str
    login: str
    display_name: str
    role: OperatorRole
    disabled_at: datetime | None = None
    activated: bool = False


@dataclass(frozen=True)
class PosKey:
    id: str
    alliance_id: str
    merchant_id: str
    store_id: str
    name: str
    prefix: str  # the first characters of the key, to recognise it in a list
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
