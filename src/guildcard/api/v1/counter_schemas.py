"""Request and response bodies of the counter API (pydantic at the edge only)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    field_validator,
)

from guildcard.counter.commands import (
    AdjustmentInput,
    BackfillInput,
    MemberIdentity,
    PurchaseInput,
    RefundInput,
)
from guildcard.counter.domain.amounts import CategoryLine
from guildcard.counter.store_day import DayLine, ShiftSummary, StoreDay

# No control characters (PostgreSQL refuses NUL), bounded like the columns that keep them.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
Id = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_PRINTABLE)]
Number = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_PRINTABLE)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=_PRINTABLE)]
Phone = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=_PRINTABLE)]
Reason = Annotated[str, StringConstraints(max_length=500, pattern=_PRINTABLE)]
Category = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_PRINTABLE)]


class LineIn(BaseModel):  # amounts are StrictInt: pydantic would read `false` as 0
    category: Category
    amount_fen: StrictInt


class MemberIn(BaseModel):
    member_code: Code | None = Field(None, description="The rotating code the cashier scanned (会员码).")
    phone: Phone | None = Field(None, description="Or the member's phone, if they agreed to be found by it.")

    def identity(self) -> MemberIdentity:
        return MemberIdentity(self.member_code, self.phone)


class PurchaseCreate(MemberIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "store_id": "st_01JD3F0000000000000000HOTP",
                    "member_code": "839201746",
                    "order_no": "HP-20260302-0042",
                    "amount_fen": 12800,
                    "points_to_use": 2000,
                    "lines": [{"category": "drinks", "amount_fen": 3000}],
                }
            ]
        }
    )

    store_id: Id
    order_no: Number = Field(description="The merchant's own order number: the purchase's idempotency key.")
    amount_fen: StrictInt = Field(description="The bill in fen (¥128.00 = 12800).")
    points_to_use: StrictInt | None = Field(
        0, description="Points the member wants to pay with; in a preview, null means as many as allowed."
    )
    lines: list[LineIn] = Field(default_factory=list, max_length=100, description="Optional category lines.")
    preview_token: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        None, description="From the preview: the commit refuses if the numbers moved since."
    )
    coupon_id: Id | None = Field(
        None, description="One of the member's coupons to use (the preview lists those valid here)."
    )
    wallet_fen: StrictInt = Field(
        0, ge=0, description="Stored value (储值) to pay with, in fen; at most what is left after points."
    )
    items: StrictInt | None = Field(
        None, ge=0, le=100_000, description="Optional: how many items the order holds (客单量); never priced."
    )

    def to_input(self) -> PurchaseInput:
        lines = tuple(CategoryLine(x.category, x.amount_fen) for x in self.lines)
        return PurchaseInput(
            self.store_id, self.order_no, self.amount_fen, self.identity(), self.points_to_use, lines,
            self.preview_token, coupon_id=self.coupon_id, wallet_fen=self.wallet_fen, items=self.items,
        )  # fmt: skip


class PurchaseBatch(BaseModel):
    """Queued sales uploaded at once (up to 500): each as ``POST /purchases`` would take it."""

    purchases: list[PurchaseCreate] = Field(min_length=1, max_length=500)


class BatchError(BaseModel):
    code: str
    status: int
    detail: str


class BatchItem(BaseModel):
    index: int = Field(description="The purchase's position in the request.")
    order_no: str
    outcome: Literal["created", "replayed", "failed"]
    receipt: dict[str, Any] | None = Field(None, description="As `POST /purchases` answers it.")
    error: BatchError | None = Field(
        None, description="Why this purchase was not recorded (nothing of it was)."
    )


class BatchResult(BaseModel):
    results: list[BatchItem]
    created: int
    replayed: int
    failed: int


class RefundCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"store_id": "st_01JD3F0000000000000000HOTP", "order_no": "HP-20260302-0042",
                 "refund_no": "RF-0042-1", "amount_fen": 6400}
            ]
        }
    )  # fmt: skip

    store_id: Id
    order_no: Number
    refund_no: Number = Field(description="The merchant's refund number: this refund's idempotency key.")
    amount_fen: StrictInt = Field(description="How much of the payable amount to refund, in fen.")

    def to_input(self) -> RefundInput:
        return RefundInput(self.store_id, self.order_no, self.refund_no, self.amount_fen)


class BackfillCreate(MemberIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"store_id": "st_01JD3F0000000000000000HOTP", "phone": "13800001234", "receipt_no": "R-88231",
                 "purchased_at": "2026-02-27T19:30:00+08:00", "amount_fen": 23800}
            ]
        }
    )  # fmt: skip

    store_id: Id
    receipt_no: Number
    purchased_at: AwareDatetime
    amount_fen: StrictInt
    lines: list[LineIn] = Field(default_factory=list, max_length=100)

    @field_validator("purchased_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        if not 2000 <= value.year <= 2200:
            raise ValueError("a purchase date between the years 2000 and 2200")
        return value

    def to_input(self) -> BackfillInput:
        lines = tuple(CategoryLine(x.category, x.amount_fen) for x in self.lines)
        return BackfillInput(
            self.store_id, self.receipt_no, self.purchased_at, self.amount_fen, self.identity(), lines
        )


class BackfillDecision(BaseModel):
    note: Reason | None = None


class AdjustmentCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"member_id": "mem_01JD3F00000000000000000LILY", "points": 500,
                          "reason": "Card reader was down on 3 March; points not recorded"}]
        }
    )  # fmt: skip

    member_id: Id
    points: StrictInt = Field(description="Positive to grant, negative to take back.")
    reason: Reason = Field(description="Mandatory, at least 4 characters; kept in the audit trail.")

    def to_input(self) -> AdjustmentInput:
        return AdjustmentInput(self.member_id, self.points, self.reason)


def as_json(value: object) -> dict[str, Any]:
    """A typed receipt (a frozen dataclass) as the JSON object the API answers."""
    kind: Any = type(value)
    body: dict[str, Any] = _adapter(kind).dump_python(value, mode="json")
    return body


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    """Building an adapter costs far more than using one: one per receipt type and process."""
    return TypeAdapter(kind)


class Receipt(BaseModel):
    """A receipt as the counter stored it; ``replayed`` says it answers a repeated request."""

    model_config = ConfigDict(extra="allow")

    replayed: bool = False

    @classmethod
    def of(cls, receipt: object, *, replayed: bool) -> Receipt:
        return cls.model_validate(as_json(receipt) | {"replayed": replayed})


class Preview(BaseModel):
    model_config = ConfigDict(extra="allow")

    @classmethod
    def of(cls, preview: object) -> Preview:
        return cls.model_validate(as_json(preview))

    preview_token: str
    balance: int
    bill_fen: int
    discount_fen: int
    payable_fen: int
    points_used: int
    points_value_fen: int
    cash_fen: int
    points_earned: int
    growth: int


class StoreDayOut(BaseModel):
    """A store's day at the counter: lines in time order and the shift summary (fen, points)."""

    day: date
    since: datetime
    until: datetime
    lines: list[DayLine]
    summary: ShiftSummary
    net_sales_fen: int = Field(description="Member sales minus refunds.")
    net_cash_fen: int = Field(description="Cash taken minus cash given back.")

    @classmethod
    def of(cls, day: StoreDay) -> StoreDayOut:
        return cls(
            day=day.day, since=day.since, until=day.until, lines=list(day.lines), summary=day.summary,
            net_sales_fen=day.summary.net_sales_fen, net_cash_fen=day.summary.net_cash_fen,
        )  # fmt: skip
