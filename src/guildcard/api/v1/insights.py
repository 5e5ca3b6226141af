"""Member insights over the API: walk-in sales and daily totals a POS reports; the metrics."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.permits import requires
from guildcard.insights.domain.errors import InsightsNotAllowed
from guildcard.insights.domain.windows import Grain, parse_period, window_of
from guildcard.insights.queries.metrics import as_json
from guildcard.insights.queries.scope import parse_scope
from guildcard.kernel.actors import system_actor
from guildcard.kernel.clock import business_date
from guildcard.kernel.permissions import P

router = APIRouter(prefix="/api/v1/insights", tags=["insights"])


class WalkInCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"store_id": "st_01JD3F0000000000000000HOTP", "order_no": "HP-W-0042",
                                         "amount_fen": 6800, "items": 3}]}
    )  # fmt: skip

    store_id: str = Field(max_length=40)
    order_no: str = Field(min_length=1, max_length=64, description="The merchant's order number: the key.")
    amount_fen: int = Field(gt=0, description="What the customer paid, in fen.")
    items: int | None = Field(None, ge=0, le=100_000, description="Optional item count (客单量).")
    occurred_at: datetime | None = Field(None, description="When it happened (default: now).")


class DailyTotalCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"store_id": "st_01JD3F0000000000000000HOTP", "day": "2026-11-30",
                                         "orders": 120, "sales_fen": 1860000, "items": 310}]}
    )  # fmt: skip

    store_id: str = Field(max_length=40)
    day: date
    orders: int = Field(ge=0, description="Every transaction of the day, members' included.")
    sales_fen: int = Field(ge=0)
    items: int | None = Field(None, ge=0)


@router.post(
    "/walk-in-sales",
    status_code=201,
    summary="Record a non-member purchase (no member, no points)",
    dependencies=[requires(P.COUNTER_SELL, InsightsNotAllowed)],
)
def walk_in(body: WalkInCreate, actor: CurrentActor, container: ContainerDep) -> dict[str, Any]:
    """Idempotent on (merchant, `order_no`): the same sale again answers with the first one."""
    sale = container.insights.record_walk_in(actor, **body.model_dump())
    return {"sale_id": sale.sale_id, "merchant_id": sale.merchant_id, "store_id": sale.store_id,
            "order_no": sale.order_no, "amount_fen": sale.amount_fen, "items": sale.items,
            "occurred_at": sale.occurred_at.isoformat()}  # fmt: skip


@router.put(
    "/daily-totals",
    summary="Report a store's daily total (every transaction, members' included)",
    dependencies=[requires(P.COUNTER_SELL, InsightsNotAllowed)],
)
def daily_total(body: DailyTotalCreate, actor: CurrentActor, container: ContainerDep) -> dict[str, Any]:
    total = container.insights.report_daily_total(actor, **body.model_dump())
    return {"store_id": total.store_id, "day": total.day.isoformat(), "orders": total.orders,
            "sales_fen": total.sales_fen, "items": total.items}  # fmt: skip


@router.get("/metrics", summary="Seed 003's member metrics of a period, with their definitions")
def metrics(
    actor: CurrentActor, container: ContainerDep, period: str = "", scope: str = "alliance"
) -> dict[str, Any]:
    """Operators: the alliance, a trade or a store; a merchant's owner: ``scope=merchant:ID`` (its own)."""
    chosen = parse_scope(scope)
    today = business_date(container.clock.now())
    window = (
        parse_period(period) if period else window_of(today.replace(day=1) - timedelta(days=1), Grain.MONTH)
    )
    container.insights.metrics(actor, window, scope=chosen)  # who may see it, before the refresh writes
    container.insights.refresh(system_actor(actor.alliance_id, "insights-api"))
    return as_json(container.insights.metrics(actor, window, scope=chosen), scope=chosen)
