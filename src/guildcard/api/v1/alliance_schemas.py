"""Request and response models of the alliance API, with OpenAPI examples."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from guildcard.alliance.domain.contracts import ContractTerms, ContractVersion
from guildcard.alliance.domain.model import (
    Merchant,
    Operator,
    OperatorRole,
    PosKey,
    StaffAccount,
    StaffRole,
    Store,
    TradeCategory,
)
from guildcard.alliance.domain.onboarding import Application
from guildcard.audit.log import AuditEntry
from guildcard.privacy.phones import mask_phone

CREDIT_CODE_EXAMPLE = "91440300MA5FUTDQ2W"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


# --- applications -----------------------------------------------------------------------


class ApplicationCreate(BaseModel):
    model_config = _examples(
        {
            "business_name": "蜀香火锅(人民广场店)",
            "category": "dining",
            "credit_code": CREDIT_CODE_EXAMPLE,
            "legal_representative": "张伟",
            "contact_phone": "13812345678",
            "store_name": "蜀香火锅 人民广场店",
            "store_address": "上海市黄浦区南京东路100号",
            "store_latitude": "31.235929",
            "store_longitude": "121.480539",
        }
    )
    business_name: str = Field(max_length=100)
    category: str = Field(max_length=32, description="A trade category code of the alliance (业态).")
    credit_code: str = Field(max_length=32, description="统一社会信用代码, 18 characters (GB 32100-2015).")
    legal_representative: str = Field(max_length=50)
    contact_phone: str = Field(max_length=32)
    store_name: str = Field(max_length=100)
    store_address: str = Field(max_length=200)
    store_latitude: str = Field(max_length=16, description="Decimal degrees (WGS-84), as a string.")
    store_longitude: str = Field(max_length=16)


class ApplicationRead(BaseModel):
    model_config = _examples(
        {
            "id": "app_01JD3F0000000000000000000A",
            "status": "submitted",
            "business_name": "蜀香火锅(人民广场店)",
            "category": "dining",
            "credit_code": CREDIT_CODE_EXAMPLE,
            "legal_representative": "张伟",
            "contact_phone_masked": "138****5678",
            "store_name": "蜀香火锅 人民广场店",
            "store_address": "上海市黄浦区南京东路100号",
            "store_latitude": "31.235929",
            "store_longitude": "121.480539",
            "reason": None,
            "merchant_id": None,
            "submitted_at": "2026-11-23T08:00:00Z",
            "updated_at": "2026-11-23T08:00:00Z",
        }
    )
    id: str
    status: str
    business_name: str
    category: str
    credit_code: str
    legal_representative: str
    contact_phone_masked: str
    store_name: str
    store_address: str
    store_latitude: str
    store_longitude: str
    reason: str | None
    merchant_id: str | None
    submitted_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a: Application) -> ApplicationRead:
        d = a.details
        return cls(
            id=a.id,
            status=a.status.value,
            business_name=d.business_name,
            category=d.category,
            credit_code=d.credit_code,
            legal_representative=d.legal_representative,
            contact_phone_masked=mask_phone(d.contact_phone),
            store_name=d.store_name,
            store_address=d.store_address,
            store_latitude=str(d.store_coordinates.latitude),
            store_longitude=str(d.store_coordinates.longitude),
            reason=a.reason,
            merchant_id=a.merchant_id,
            submitted_at=a.submitted_at,
            updated_at=a.updated_at,
        )


class ApplicationSubmitted(BaseModel):
    application: ApplicationRead
    applicant_token: str | None = Field(
        description="Shown once: lets the applicant answer a request for changes. Absent on a replay."
    )


class ReviewCreate(BaseModel):
    model_config = _examples(
        {"decision": "approve", "owner_login": "shuxiang-owner"},
        {"decision": "request_changes", "reason": "营业执照照片不清晰，请重新上传"},
        {"decision": "reject", "reason": "业态与联盟定位不符"},
    )
    decision: str = Field(pattern="^(approve|reject|request_changes)$")
    reason: str | None = Field(default=None, max_length=500)
    owner_login: str | None = Field(
        default=None, max_length=64, description="On approval: the owner's login (default: contact phone)."
    )
    owner_name: str | None = Field(default=None, max_length=100)


class StatusEventRead(BaseModel):
    from_status: str | None
    to_status: str
    actor_kind: str
    actor_id: str
    reason: str | None
    at: datetime


# --- merchants, stores, staff -------------------------------------------------------------


class MerchantRead(BaseModel):
    model_config = _examples(
        {
            "id": "mer_01JD3F0000000000000000000A",
            "name": "蜀香火锅(人民广场店)",
            "category": "dining",
            "credit_code": CREDIT_CODE_EXAMPLE,
            "legal_representative": "张伟",
            "status": "active",
            "application_id": "app_01JD3F0000000000000000000A",
            "created_at": "2026-11-23T08:00:00Z",
        }
    )
    id: str
    name: str
    category: str
    credit_code: str
    legal_representative: str
    status: str
    application_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, m: Merchant) -> MerchantRead:
        return cls(
            id=m.id,
            name=m.name,
            category=m.category,
            credit_code=m.credit_code,
            legal_representative=m.legal_representative,
            status=m.status.value,
            application_id=m.application_id,
            created_at=m.created_at,
        )


class MerchantStatusUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"status": "suspended", "reason": "连续三个月未结算"}, {"status": "active"}],
            # what the service enforces: suspending needs a reason that is not blank
            "if": {"properties": {"status": {"const": "suspended"}}},
            "then": {"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": "\\S"}}},
        }
    )
    status: str = Field(pattern="^(active|suspended)$")
    reason: str | None = Field(default=None, max_length=500)


class StoreCreate(BaseModel):
    model_config = _examples(
        {
            "name": "蜀香火锅 徐家汇店",
            "address": "上海市徐汇区漕溪北路1号",
            "latitude": "31.195",
            "longitude": "121.437",
        }
    )
    name: str = Field(max_length=100)
    address: str = Field(max_length=200)
    latitude: str = Field(max_length=16)
    longitude: str = Field(max_length=16)


class StoreUpdate(BaseModel):
    model_config = _examples({"name": "蜀香火锅 徐家汇旗舰店"}, {"closed": True})
    name: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=200)
    latitude: str | None = Field(default=None, max_length=16)
    longitude: str | None = Field(default=None, max_length=16)
    closed: bool | None = None


class StoreRead(BaseModel):
    model_config = _examples(
        {
            "id": "sto_01JD3F0000000000000000000A",
            "merchant_id": "mer_01JD3F0000000000000000000A",
            "name": "蜀香火锅 人民广场店",
            "address": "上海市黄浦区南京东路100号",
            "latitude": "31.235929",
            "longitude": "121.480539",
            "created_at": "2026-11-23T08:00:00Z",
            "closed_at": None,
        }
    )
    id: str
    merchant_id: str
    name: str
    address: str
    latitude: str
    longitude: str
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, s: Store) -> StoreRead:
        return cls(
            id=s.id,
            merchant_id=s.merchant_id,
            name=s.name,
            address=s.address,
            latitude=str(s.coordinates.latitude),
            longitude=str(s.coordinates.longitude),
            created_at=s.created_at,
            closed_at=s.closed_at,
        )


class StaffCreate(BaseModel):
    model_config = _examples(
        {
            "login": "xiaoli",
            "display_name": "小李",
            "role": "cashier",
            "store_ids": ["sto_01JD3F0000000000000000000A"],
        }
    )
    login: str = Field(max_length=64)
    display_name: str = Field(max_length=100)
    role: StaffRole
    store_ids: list[str] = Field(default_factory=list, description="Required for cashiers.")


class StaffUpdate(BaseModel):
    model_config = _examples({"store_ids": ["sto_01JD3F0000000000000000000A"]}, {"disabled": True})
    display_name: str | None = Field(default=None, max_length=100)
    role: StaffRole | None = None
    store_ids: list[str] | None = None
    disabled: bool | None = None


class StaffRead(BaseModel):
    model_config = _examples(
        {
            "id": "stf_01JD3F0000000000000000000A",
            "merchant_id": "mer_01JD3F0000000000000000000A",
            "login": "xiaoli",
            "display_name": "小李",
            "role": "cashier",
            "store_ids": ["sto_01JD3F0000000000000000000A"],
            "activated": False,
            "disabled_at": None,
        }
    )
    id: str
    merchant_id: str
    login: str
    display_name: str
    role: str
    store_ids: list[str]
    activated: bool
    disabled_at: datetime | None

    @classmethod
    def of(cls, s: StaffAccount) -> StaffRead:
        return cls(
            id=s.id,
            merchant_id=s.merchant_id,
            login=s.login,
            display_name=s.display_name,
            role=s.role.value,
            store_ids=sorted(s.store_ids),
            activated=s.activated,
            disabled_at=s.disabled_at,
        )


class StaffCreated(BaseModel):
    staff: StaffRead
    activation_token: str | None = Field(
        description="Shown once (valid 7 days): the person sets a password with POST /api/v1/auth/activate."
    )


class OperatorCreate(BaseModel):
    model_config = _examples({"login": "wang.review", "display_name": "王审核", "role": "reviewer"})
    login: str = Field(max_length=64)
    display_name: str = Field(max_length=100)
    role: OperatorRole


class OperatorRead(BaseModel):
    id: str
    login: str
    display_name: str
    role: str
    activated: bool
    disabled_at: datetime | None

    @classmethod
    def of(cls, o: Operator) -> OperatorRead:
        return cls(
            id=o.id,
            login=o.login,
            display_name=o.display_name,
            role=o.role.value,
            activated=o.activated,
            disabled_at=o.disabled_at,
        )


class OperatorCreated(BaseModel):
    operator: OperatorRead
    activation_token: str | None


class ApprovalRead(BaseModel):
    application: ApplicationRead
    merchant: MerchantRead | None = None
    store: StoreRead | None = None
    owner: StaffRead | None = None
    owner_activation_token: str | None = Field(
        default=None, description="On approval, shown once: the owner sets a password with it (7 days)."
    )


# --- POS keys -----------------------------------------------------------------------------


class PosKeyCreate(BaseModel):
    model_config = _examples({"name": "收银台1号", "scopes": ["counter:read", "counter:write"]})
    name: str = Field(max_length=100)
    scopes: list[str] = Field(min_length=1)


class PosKeyRead(BaseModel):
    id: str
    store_id: str
    merchant_id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, k: PosKey) -> PosKeyRead:
        return cls(
            id=k.id,
            store_id=k.store_id,
            merchant_id=k.merchant_id,
            name=k.name,
            prefix=k.prefix,
            scopes=sorted(k.scopes),
            created_at=k.created_at,
            revoked_at=k.revoked_at,
            last_used_at=k.last_used_at,
        )


class PosKeyCreated(BaseModel):
    key: PosKeyRead
    secret: str | None = Field(description="The API key, shown once. Absent on a replay.")


# --- alliance settings and contracts --------------------------------------------------------


class CategoryItem(BaseModel):
    model_config = _examples({"code": "dining", "name": "火锅/餐饮", "active": True})
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")  # unique in the list (the handler checks)
    name: str = Field(max_length=50)
    active: StrictBool = True

    @classmethod
    def of(cls, c: TradeCategory) -> CategoryItem:
        return cls(code=c.code, name=c.name, active=c.active)

    def domain(self) -> TradeCategory:
        return TradeCategory(self.code, self.name, self.active)


class BoundsItem(BaseModel):
    minimum: str
    maximum: str


class AllianceRead(BaseModel):
    id: str
    code: str
    name: str
    city: str
    time_zone: str
    contract_limits: dict[str, BoundsItem]


TERMS_EXAMPLE = {
    "points_per_yuan": "1",
    "issue_price_fen_per_point": "0.8",
    "reimbursement_fen_per_point": "0.7",
    "commission_rate": "0.03",
    "member_discount": "0.05",
    "entry_fee_fen": 100000,
}


# A decimal number as a string ("1", "0.95"): checked at the edge, never parsed later to a 500.
DecimalText = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,9}(\.[0-9]{1,9})?$", max_length=19)]


class TermsBody(BaseModel):
    model_config = _examples(TERMS_EXAMPLE)
    points_per_yuan: DecimalText = Field(description="Points a member earns per yuan (decimal string).")
    issue_price_fen_per_point: DecimalText = Field(description="Fen the merchant pays per point it awards.")
    reimbursement_fen_per_point: DecimalText = Field(
        description="Fen the alliance pays per point redeemed here."
    )
    commission_rate: DecimalText = Field(description="Share of member sales, e.g. 0.03 = 3 %.")
    member_discount: DecimalText = Field(description="Member discount, e.g. 0.05 = 5 % off.")
    entry_fee_fen: int = Field(ge=0)

    def domain(self) -> ContractTerms:
        return ContractTerms.from_mapping(self.model_dump())


class TermsRead(BaseModel):
    """Stored terms as decimal strings (what was accepted; no pattern on the way out)."""

    points_per_yuan: str
    issue_price_fen_per_point: str
    reimbursement_fen_per_point: str
    commission_rate: str
    member_discount: str
    entry_fee_fen: int


class ContractCreate(BaseModel):
    model_config = _examples({"effective_from": "2026-12-01", "terms": TERMS_EXAMPLE})
    effective_from: date = Field(description="Business date (Asia/Shanghai), today or later.")
    terms: TermsBody


class ContractRead(BaseModel):
    id: str
    merchant_id: str
    effective_from: datetime
    terms: TermsRead
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, v: ContractVersion) -> ContractRead:
        return cls(
            id=v.id,
            merchant_id=v.merchant_id,
            effective_from=v.effective_from,
            terms=TermsRead.model_validate(v.terms.as_strings()),
            created_at=v.created_at,
            created_by=v.created_by,
        )


# --- audit --------------------------------------------------------------------------------


class AuditEntryRead(BaseModel):
    model_config = _examples(
        {
            "id": "aud_01JD3F0000000000000000000A",
            "at": "2026-11-23T08:00:00Z",
            "actor_kind": "operator",
            "actor_id": "opr_01JD3F0000000000000000000A",
            "action": "application.approve",
            "object_type": "application",
            "object_id": "app_01JD3F0000000000000000000A",
            "merchant_id": "mer_01JD3F0000000000000000000A",
            "store_id": None,
            "request_id": "3f2a…",
            "details": {"from": "submitted", "to": "approved"},
        }
    )
    id: str
    at: datetime
    actor_kind: str
    actor_id: str
    action: str
    object_type: str
    object_id: str
    merchant_id: str | None
    store_id: str | None
    request_id: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryRead:
        return cls(
            id=e.id,
            at=e.at,
            actor_kind=e.actor_kind,
            actor_id=e.actor_id,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            merchant_id=e.merchant_id,
            store_id=e.store_id,
            request_id=e.request_id,
            details=e.details,
        )


# --- auth ---------------------------------------------------------------------------------


class LoginCreate(BaseModel):
    model_config = _examples(
        {"alliance": "shanghai-huangpu", "login": "admin", "password": "correct horse battery"}
    )
    alliance: str = Field(max_length=40, description="The alliance's id or code.")
    login: str = Field(max_length=64)
    password: str = Field(max_length=256)


class ActorRead(BaseModel):
    kind: str
    id: str
    alliance_id: str
    role: str | None
    merchant_id: str | None
    store_ids: list[str]


class SessionRead(BaseModel):
    token: str | None = Field(description="Bearer token (absent when the session is set as a cookie).")
    csrf_token: str | None = None
    expires_at: datetime
    actor: ActorRead


class ActivateCreate(BaseModel):
    model_config = _examples({"token": "all_01JD….x1y2z3", "password": "a long new password"})
    token: str = Field(max_length=200)
    password: str = Field(max_length=256)


class PasswordUpdate(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256, json_schema_extra={"minLength": 10})  # alliance.weak_password
