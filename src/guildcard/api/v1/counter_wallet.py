"""``/api/v1/counter/wallet-topups`` and ``/api/v1/counter/card-sales``: a POS tops up a member's
stored value (a package with its bonus, or an amount) and sells a paid member card (付费会员卡).

Thin: ``DeskSales`` checks the store, finds the member and runs the loyalty command. The
``Idempotency-Key`` header is required: a resend (even with the member code already used)
answers the first receipt with 200 and ``replayed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, ConfigDict, Field

from guildcard.api.auth import CurrentActor
from guildcard.api.deps import ContainerDep
from guildcard.api.v1.counter import ERRORS, SELLING
from guildcard.api.v1.counter_schemas import Id, MemberIn

router = APIRouter(prefix="/api/v1/counter", tags=["counter"])

Key = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=100)]


class TopUpCreate(MemberIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"store_id": "st_01JD3F0000000000000000BAKE", "member_code": "839201746", "amount_fen": 50000}
            ],
            # Exactly one of the two: a package (no amount), or an amount of at least 1 fen (no package).
            "oneOf": [
                {
                    "required": ["package_id"],
                    "properties": {"package_id": {"type": "string"}, "amount_fen": {"enum": [0]}},
                },
                {
                    "required": ["amount_fen"],
                    "properties": {"package_id": {"type": "null"}, "amount_fen": {"minimum": 1}},
                },
            ],
        }
    )
    store_id: Id
    package_id: Id | None = Field(None, description="A top-up package (its pay and bonus amounts).")
    amount_fen: int = Field(0, ge=0, description="Or a plain amount in fen, without bonus.")


class CardSaleCreate(MemberIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "store_id": "st_01JD3F0000000000000000CINE",
                    "member_code": "839201746",
                    "plan_id": "cpl_gold",
                }
            ]
        }
    )
    store_id: Id
    plan_id: Id


class TopUpReceipt(BaseModel):
    topup_id: str
    store_id: str
    member_id: str
    paid_fen: int  # collected by the merchant, owed to the alliance
    bonus_fen: int  # funded by the alliance's marketing account
    principal_balance_fen: int
    bonus_balance_fen: int
    replayed: bool


class CardSaleReceipt(BaseModel):
    card_id: str
    store_id: str
    member_id: str
    plan_id: str
    plan_name: str
    tier_code: str | None
    price_fen: int  # the price paid: collected by the merchant, owed to the alliance
    ends_at: datetime
    replayed: bool


@router.post(
    "/wallet-topups", dependencies=SELLING, response_model=TopUpReceipt, status_code=201, responses=ERRORS
)
def top_up(
    body: TopUpCreate, actor: CurrentActor, container: ContainerDep, response: Response, key: Key
) -> TopUpReceipt:
    """Top up the member's wallet at this store: a package (`package_id`) or `amount_fen`, not both."""
    done = container.desk_sales.top_up(
        actor, store_id=body.store_id, member=body.identity(), idempotency_key=key,
        package_id=body.package_id, amount_fen=body.amount_fen,
    )  # fmt: skip
    response.status_code = 200 if done.replayed else 201
    t = done.topup
    return TopUpReceipt(
        topup_id=t.topup_id, store_id=done.store_id, member_id=t.member_id, paid_fen=t.principal_fen,
        bonus_fen=t.bonus_fen, principal_balance_fen=t.balance.principal, bonus_balance_fen=t.balance.bonus,
        replayed=done.replayed,
    )  # fmt: skip


@router.post(
    "/card-sales", dependencies=SELLING, response_model=CardSaleReceipt, status_code=201, responses=ERRORS
)
def sell_card(
    body: CardSaleCreate, actor: CurrentActor, container: ContainerDep, response: Response, key: Key
) -> CardSaleReceipt:
    """Sell a paid card plan to the member at this store; renewal extends a valid card from its end."""
    sale = container.desk_sales.sell_card(
        actor, store_id=body.store_id, member=body.identity(), plan_id=body.plan_id, idempotency_key=key
    )
    response.status_code = 200 if sale.replayed else 201
    c = sale.card
    return CardSaleReceipt(
        card_id=c.card_id, store_id=sale.store_id, member_id=c.member_id, plan_id=c.plan_id,
        plan_name=c.plan_name, tier_code=c.tier_code, price_fen=sale.price_fen, ends_at=c.ends_at,
        replayed=sale.replayed,
    )  # fmt: skip
