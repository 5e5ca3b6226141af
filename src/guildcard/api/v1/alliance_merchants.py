"""Merchants, their status and contracts; the alliance's own settings and operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from guildcard.alliance.domain.contracts import ContractLimits
from guildcard.alliance.domain.errors import Forbidden
from guildcard.alliance.domain.model import Alliance, MerchantStatus, Operator
from guildcard.api.auth import CurrentActor
from guildcard.api.permits import requires
from guildcard.api.v1.alliance_common import PROBLEMS, IdempotencyKey, Services, mark_replay
from guildcard.api.v1.alliance_schemas import (
    AllianceRead,
    BoundsItem,
    CategoryItem,
    ContractCreate,
    ContractRead,
    MerchantRead,
    MerchantStatusUpdate,
    OperatorCreate,
    OperatorCreated,
    OperatorRead,
    StatusEventRead,
)
from guildcard.kernel.permissions import P

router = APIRouter(prefix="/api/v1", tags=["merchants"], responses=PROBLEMS)


def _alliance(a: Alliance) -> AllianceRead:
    return AllianceRead(
        id=a.id,
        code=a.code,
        name=a.name,
        city=a.city,
        time_zone=a.time_zone,
        contract_limits={k: BoundsItem(**v) for k, v in a.limits.as_strings().items()},
    )


# --- the signed-in operator's alliance -----------------------------------------------------


@router.get("/alliance", response_model=AllianceRead, tags=["alliance"])
def get_alliance(actor: CurrentActor, services: Services) -> AllianceRead:
    """The caller's alliance: name, city, time zone, contract limits."""
    return _alliance(services.alliances.get(actor))


@router.put(
    "/alliance/contract-limits",
    response_model=AllianceRead,
    tags=["alliance"],
    dependencies=[requires(P.ALLIANCE_CONFIGURE, Forbidden)],
)
def set_limits(body: dict[str, BoundsItem], actor: CurrentActor, services: Services) -> AllianceRead:
    """Admins: the bounds within which merchants' contract terms must lie."""
    limits = ContractLimits.from_strings({k: v.model_dump() for k, v in body.items()})
    return _alliance(services.alliances.set_limits(actor, limits))


@router.get("/alliance/trade-categories", response_model=list[CategoryItem], tags=["alliance"])
def list_categories(actor: CurrentActor, services: Services) -> list[CategoryItem]:
    return [CategoryItem.of(c) for c in services.alliances.categories(actor)]


@router.put(
    "/alliance/trade-categories",
    response_model=list[CategoryItem],
    tags=["alliance"],
    dependencies=[requires(P.ALLIANCE_CONFIGURE, Forbidden)],
)
def set_categories(body: list[CategoryItem], actor: CurrentActor, services: Services) -> list[CategoryItem]:
    """Admins: the whole list, in display order. Categories left out become inactive, never deleted."""
    return [CategoryItem.of(c) for c in services.alliances.set_categories(actor, [i.domain() for i in body])]


@router.get("/operators", response_model=list[OperatorRead], tags=["alliance"])
def list_operators(actor: CurrentActor, services: Services) -> list[OperatorRead]:
    return [OperatorRead.of(o) for o in services.alliances.list_operators(actor)]


@router.post(
    "/operators",
    response_model=OperatorCreated,
    status_code=status.HTTP_201_CREATED,
    tags=["alliance"],
    dependencies=[requires(P.OPERATOR_MANAGE, Forbidden)],
)
def create_operator(
    body: OperatorCreate,
    actor: CurrentActor,
    services: Services,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> OperatorCreated:
    """Admins: a new operator; answers a one-time activation token."""
    created = services.alliances.create_operator(
        actor,
        login=body.login,
        display_name=body.display_name,
        role=body.role,
        idempotency_key=idempotency_key,
    )
    mark_replay(response, created.replayed)
    account = created.value.account
    assert isinstance(account, Operator)
    return OperatorCreated(operator=OperatorRead.of(account), activation_token=created.value.activation_token)


@router.delete(
    "/operators/{operator_id}",
    response_model=OperatorRead,
    tags=["alliance"],
    dependencies=[requires(P.OPERATOR_MANAGE, Forbidden)],
)
def disable_operator(operator_id: str, actor: CurrentActor, services: Services) -> OperatorRead:
    """Admins: disable an operator (kept for the audit trail)."""
    return OperatorRead.of(services.alliances.disable_operator(actor, operator_id))


# --- merchants ----------------------------------------------------------------------------


@router.get("/merchants", response_model=list[MerchantRead])
def list_merchants(
    actor: CurrentActor,
    services: Services,
    status_: Annotated[MerchantStatus | None, Query(alias="status")] = None,
) -> list[MerchantRead]:
    """Operators: every merchant of the alliance; staff: their own merchant."""
    return [MerchantRead.of(m) for m in services.merchants.list(actor, status=status_)]


@router.get("/merchants/{merchant_id}", response_model=MerchantRead)
def get_merchant(merchant_id: str, actor: CurrentActor, services: Services) -> MerchantRead:
    return MerchantRead.of(services.merchants.get(actor, merchant_id))


@router.patch(
    "/merchants/{merchant_id}",
    response_model=MerchantRead,
    dependencies=[requires(P.MERCHANT_SUSPEND, Forbidden)],
)
def set_merchant_status(
    merchant_id: str, body: MerchantStatusUpdate, actor: CurrentActor, services: Services
) -> MerchantRead:
    """Admins: suspend (reason required) or reactivate. A suspended merchant keeps its data;
    members cannot earn or redeem there."""
    merchant = services.merchants.set_status(
        actor, merchant_id, MerchantStatus(body.status), reason=body.reason
    )
    return MerchantRead.of(merchant)


@router.get("/merchants/{merchant_id}/history", response_model=list[StatusEventRead])
def merchant_history(merchant_id: str, actor: CurrentActor, services: Services) -> list[StatusEventRead]:
    return [StatusEventRead.model_validate(e) for e in services.merchants.history(actor, merchant_id)]


# --- contracts ----------------------------------------------------------------------------


@router.get("/merchants/{merchant_id}/contracts", response_model=list[ContractRead], tags=["contracts"])
def contract_history(merchant_id: str, actor: CurrentActor, services: Services) -> list[ContractRead]:
    """Every version of the merchant's terms, oldest first."""
    return [ContractRead.of(v) for v in services.contracts.history(actor, merchant_id)]


@router.post(
    "/merchants/{merchant_id}/contracts",
    response_model=ContractRead,
    status_code=status.HTTP_201_CREATED,
    tags=["contracts"],
    dependencies=[requires(P.CONTRACT_WRITE, Forbidden)],
)
def set_contract(
    *,
    merchant_id: str,
    body: ContractCreate,
    actor: CurrentActor,
    services: Services,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ContractRead:
    """Admins and finance: new terms from a business date (today or later), within the alliance's limits
    (`alliance.terms_out_of_limits`). History is kept; settlement uses the terms in force at the time."""
    created = services.contracts.set_terms(
        actor,
        merchant_id,
        body.terms.domain(),
        effective_from=body.effective_from,
        idempotency_key=idempotency_key,
    )
    mark_replay(response, created.replayed)
    return ContractRead.of(created.value)
