"""``/api/v1/settlement``: statements, drill-down, proofs, exports, flows, limits, liability.

Operators see every merchant of their alliance; merchant owners and managers their own
statements only (another merchant's or alliance's is 404). Closing is for operators.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.kernel.permissions import P
from guildcard.settlement import exports
from guildcard.settlement.admin import SettlementAdmin
from guildcard.settlement.domain.periods import PeriodKind
from guildcard.settlement.domain.statement import Component
from guildcard.settlement.domain.terms import BreakageMode, LimitMode
from guildcard.settlement.service import SettlementService, Statement
from guildcard.settlement.wiring import settlement_admin, settlement_service

router = APIRouter(prefix="/api/v1/settlement", tags=["settlement"])


def _service(container: ContainerDep) -> SettlementService:
    return settlement_service(container)


def _admin(container: ContainerDep) -> SettlementAdmin:
    return settlement_admin(container)


ServiceDep = Annotated[SettlementService, Depends(_service)]
AdminDep = Annotated[SettlementAdmin, Depends(_admin)]
PERIOD_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3])|(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))$"
PERIOD_HELP = "2026-11, 2026-W48 or 2026-11-23 (Asia/Shanghai)"
# The pattern is documented, the service checks it (answering its own `settlement.invalid_period`).
_PERIOD_SCHEMA: dict[str, Any] = {"pattern": PERIOD_PATTERN}
PeriodQuery = Annotated[str, Query(description=PERIOD_HELP, json_schema_extra=_PERIOD_SCHEMA)]
PeriodPath = Annotated[str, Path(description=PERIOD_HELP, json_schema_extra=_PERIOD_SCHEMA)]


class LineRead(BaseModel):
    component: str
    terms_version: str
    corrects: str | None
    quantity: int
    unit_price: str
    amount: int
    in_net: bool


class StatementRead(BaseModel):
    period: str
    merchant_id: str
    merchant_name: str
    status: str
    figures: dict[str, int]
    lines: list[LineRead]
    breakage_mode: str
    checkpoint_seq: int | None
    checkpoint_root: str | None
    closed_at: datetime | None
    ledger_entry_id: str | None


class CloseRead(BaseModel):
    period: str
    replayed: bool
    checkpoint_seq: int
    checkpoint_root: str
    statements: list[StatementRead]


class DrillItemRead(BaseModel):
    ref: str
    kind: str
    occurred_at: datetime
    quantity: int
    corrects: str | None


class FlowRead(BaseModel):
    issuer: str
    spent_at: str
    points: int


class LimitStatusRead(BaseModel):
    merchant_id: str
    period: str
    mode: str
    limit_points: int
    issued: int
    remaining: int
    used: str


class LimitUpdate(BaseModel):
    limit_points: int
    period_kind: PeriodKind = PeriodKind.MONTH
    mode: LimitMode = LimitMode.CREDIT


class BreakageUpdate(BaseModel):
    breakage_mode: BreakageMode


class AppliedRead(BaseModel):
    values: dict[str, Any]
    replayed: bool


class LiabilityRead(BaseModel):
    period: str
    breakage_mode: str
    outstanding: dict[str, int]
    expired: dict[str, int]


def read(s: Statement) -> StatementRead:
    return StatementRead(
        period=s.period_key,
        merchant_id=s.merchant_id,
        merchant_name=s.merchant_name,
        status=s.status,
        figures=asdict(s.figures),
        lines=[
            LineRead(**{**asdict(ln), "component": ln.component.value, "unit_price": str(ln.unit_price)})
            for ln in s.lines
        ],
        breakage_mode=s.breakage_mode.value,
        checkpoint_seq=s.checkpoint_seq,
        checkpoint_root=s.checkpoint_root,
        closed_at=s.closed_at,
        ledger_entry_id=s.ledger_entry_id,
    )


@router.get("/statements", response_model=list[StatementRead])
def list_statements(actor: CurrentActor, service: ServiceDep, period: PeriodQuery) -> list[StatementRead]:
    return [read(s) for s in service.statements(actor, period)]


ExportLanguage = Annotated[
    Literal["zh", "en"], Query(description="Headers and labels: zh (default, Chinese) or en (English).")
]


@router.get("/statements/{period}/export.csv", response_class=Response)
def export_csv(
    actor: CurrentActor, service: ServiceDep, period: PeriodPath, lang: ExportLanguage = "zh"
) -> Response:
    """The statements as CSV for Excel: UTF-8 with a BOM, Chinese headers (``lang=en``: English), yuan."""
    body = exports.to_csv(service.statements(actor, period), lang)
    disposition = f'attachment; filename="settlement-{period}.csv"'
    return Response(body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})


@router.get("/statements/{period}/export.xlsx", response_class=Response)
def export_xlsx(
    actor: CurrentActor, service: ServiceDep, period: PeriodPath, lang: ExportLanguage = "zh"
) -> Response:
    """The statements as an Excel workbook: yuan as numbers with a currency format, dates as dates."""
    body = exports.to_xlsx(service.statements(actor, period), lang)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = f'attachment; filename="settlement-{period}.xlsx"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/statements/{period}/{merchant_id}", response_model=StatementRead)
def get_statement(
    actor: CurrentActor, service: ServiceDep, period: PeriodPath, merchant_id: str
) -> StatementRead:
    return read(service.statement(actor, period, merchant_id))


@router.get("/statements/{period}/{merchant_id}/lines/{component}", response_model=list[DrillItemRead])
def drill_down(
    actor: CurrentActor, service: ServiceDep, period: PeriodPath, merchant_id: str, component: Component
) -> list[DrillItemRead]:
    return [DrillItemRead(**asdict(i)) for i in service.drill_down(actor, period, merchant_id, component)]


@router.get("/statements/{period}/{merchant_id}/proofs/{entry_id}")
def proof(
    actor: CurrentActor, service: ServiceDep, period: PeriodPath, merchant_id: str, entry_id: str
) -> dict[str, Any]:
    """The inclusion proof of an entry behind a closed statement (see docs/settlement.md to check it)."""
    return asdict(service.proof(actor, period, merchant_id, entry_id))


@router.post("/periods/{period}/close", response_model=CloseRead, dependencies=[requires(P.SETTLEMENT_CLOSE)])
def close(actor: CurrentActor, service: ServiceDep, period: PeriodPath) -> CloseRead:
    """Close the period (operators). Naturally idempotent: closing again returns the first result."""
    result = service.close(actor, period)
    return CloseRead(
        period=result.period_key,
        replayed=result.replayed,
        checkpoint_seq=result.checkpoint_seq,
        checkpoint_root=result.checkpoint_root,
        statements=[read(s) for s in result.statements],
    )


@router.get("/flows", response_model=list[FlowRead])
def flows(actor: CurrentActor, service: ServiceDep, period: PeriodQuery) -> list[FlowRead]:
    return [FlowRead(**asdict(f)) for f in service.flow_matrix(actor, period)]


@router.get("/liability", response_model=LiabilityRead)
def liability(actor: CurrentActor, admin: AdminDep, period: PeriodQuery) -> LiabilityRead:
    found = admin.liability(actor, period)
    return LiabilityRead(
        period=found.period_key,
        breakage_mode=found.breakage_mode.value,
        outstanding=found.outstanding,
        expired=found.expired,
    )


@router.get("/limits/near", response_model=list[LimitStatusRead])
def near_limit(
    actor: CurrentActor, admin: AdminDep, threshold: Annotated[float, Query(ge=0, le=10)] = 0.8
) -> list[LimitStatusRead]:
    return [
        LimitStatusRead(
            merchant_id=s.merchant_id,
            period=s.period_key,
            mode=s.mode.value,
            limit_points=s.limit_points,
            issued=s.issued,
            remaining=s.remaining,
            used=str(s.used),
        )
        for s in admin.near_limit(actor, Decimal(str(threshold)))
    ]


@router.put(
    "/limits/{merchant_id}", response_model=AppliedRead, dependencies=[requires(P.SETTLEMENT_CONFIGURE)]
)
def set_limit(
    actor: CurrentActor,
    admin: AdminDep,
    merchant_id: str,
    body: LimitUpdate,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
) -> AppliedRead:
    applied = admin.set_limit(
        actor,
        merchant_id=merchant_id,
        limit_points=body.limit_points,
        period_kind=body.period_kind,
        mode=body.mode,
        idempotency_key=idempotency_key,
    )
    return AppliedRead(values=applied.values, replayed=applied.replayed)


@router.put("/settings/breakage", response_model=AppliedRead, dependencies=[requires(P.SETTLEMENT_CONFIGURE)])
def set_breakage(
    actor: CurrentActor,
    admin: AdminDep,
    body: BreakageUpdate,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
) -> AppliedRead:
    applied = admin.set_breakage_mode(actor, body.breakage_mode, idempotency_key=idempotency_key)
    return AppliedRead(values=applied.values, replayed=applied.replayed)
