"""Stores, staff accounts and POS API keys of a merchant."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from guildcard.alliance.domain.errors import Forbidden
from guildcard.alliance.domain.model import StaffAccount
from guildcard.api.auth import CurrentActor
from guildcard.api.permits import requires
from guildcard.api.v1.alliance_common import PROBLEMS, IdempotencyKey, Services, mark_replay
from guildcard.api.v1.alliance_schemas import (
    PosKeyCreate,
    PosKeyCreated,
    PosKeyRead,
    StaffCreate,
    StaffCreated,
    StaffRead,
    StaffUpdate,
    StoreCreate,
    StoreRead,
    StoreUpdate,
)
from guildcard.kernel.permissions import P

router = APIRouter(prefix="/api/v1", responses=PROBLEMS)


# --- stores -------------------------------------------------------------------------------


@router.get("/merchants/{merchant_id}/stores", response_model=list[StoreRead], tags=["stores"])
def list_stores(merchant_id: str, actor: CurrentActor, services: Services) -> list[StoreRead]:
    """The merchant's stores (a cashier sees only their own)."""
    return [StoreRead.of(s) for s in services.stores.list(actor, merchant_id)]


@router.post(
    "/merchants/{merchant_id}/stores",
    response_model=StoreRead,
    status_code=status.HTTP_201_CREATED,
    tags=["stores"],
    dependencies=[requires(P.STORE_WRITE, Forbidden)],
)
def create_store(
    *,
    merchant_id: str,
    body: StoreCreate,
    actor: CurrentActor,
    services: Services,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> StoreRead:
    """Owners: a new store."""
    created = services.stores.create(actor, merchant_id, **body.model_dump(), idempotency_key=idempotency_key)
    mark_replay(response, created.replayed)
    return StoreRead.of(created.value)


@router.get("/stores/{store_id}", response_model=StoreRead, tags=["stores"])
def get_store(store_id: str, actor: CurrentActor, services: Services) -> StoreRead:
    return StoreRead.of(services.stores.get(actor, store_id))


@router.patch(
    "/stores/{store_id}",
    response_model=StoreRead,
    tags=["stores"],
    dependencies=[requires(P.STORE_WRITE, Forbidden)],
)
def update_store(store_id: str, body: StoreUpdate, actor: CurrentActor, services: Services) -> StoreRead:
    """Owners: rename, move, close or reopen a store."""
    return StoreRead.of(services.stores.update(actor, store_id, **body.model_dump(exclude_unset=True)))


# --- staff --------------------------------------------------------------------------------


def _staff(account: object) -> StaffRead:
    assert isinstance(account, StaffAccount)
    return StaffRead.of(account)


@router.get("/merchants/{merchant_id}/staff", response_model=list[StaffRead], tags=["staff"])
def list_staff(merchant_id: str, actor: CurrentActor, services: Services) -> list[StaffRead]:
    return [StaffRead.of(s) for s in services.staff.list(actor, merchant_id)]


@router.post(
    "/merchants/{merchant_id}/staff",
    response_model=StaffCreated,
    status_code=status.HTTP_201_CREATED,
    tags=["staff"],
    dependencies=[requires(P.STAFF_WRITE, Forbidden)],
)
def create_staff(
    *,
    merchant_id: str,
    body: StaffCreate,
    actor: CurrentActor,
    services: Services,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> StaffCreated:
    """Owners (any role) and managers (cashiers): a new account; answers a one-time activation token."""
    created = services.staff.create(
        actor,
        merchant_id,
        login=body.login,
        display_name=body.display_name,
        role=body.role,
        store_ids=body.store_ids,
        idempotency_key=idempotency_key,
    )
    mark_replay(response, created.replayed)
    return StaffCreated(staff=_staff(created.value.account), activation_token=created.value.activation_token)


@router.get("/staff/{staff_id}", response_model=StaffRead, tags=["staff"])
def get_staff(staff_id: str, actor: CurrentActor, services: Services) -> StaffRead:
    return StaffRead.of(services.staff.get(actor, staff_id))


@router.patch(
    "/staff/{staff_id}",
    response_model=StaffRead,
    tags=["staff"],
    dependencies=[requires(P.STAFF_WRITE, Forbidden)],
)
def update_staff(staff_id: str, body: StaffUpdate, actor: CurrentActor, services: Services) -> StaffRead:
    """Change name, role, stores, or disable; privilege changes sign the account out everywhere."""
    return StaffRead.of(services.staff.update(actor, staff_id, **body.model_dump(exclude_unset=True)))


# --- POS keys -----------------------------------------------------------------------------


@router.get("/stores/{store_id}/pos-keys", response_model=list[PosKeyRead], tags=["pos keys"])
def list_pos_keys(store_id: str, actor: CurrentActor, services: Services) -> list[PosKeyRead]:
    return [PosKeyRead.of(k) for k in services.pos_keys.list(actor, store_id)]


@router.post(
    "/stores/{store_id}/pos-keys",
    response_model=PosKeyCreated,
    status_code=status.HTTP_201_CREATED,
    tags=["pos keys"],
    dependencies=[requires(P.POS_KEY_WRITE, Forbidden)],
)
def create_pos_key(
    *,
    store_id: str,
    body: PosKeyCreate,
    actor: CurrentActor,
    services: Services,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PosKeyCreated:
    """Owners and managers: a POS API key for one store, shown once (`gck_…`); only its hash is kept.

    Scopes: `counter:read`, `counter:write`. Use it as `Authorization: Bearer gck_…`."""
    created = services.pos_keys.create(
        actor, store_id, name=body.name, scopes=body.scopes, idempotency_key=idempotency_key
    )
    mark_replay(response, created.replayed)
    key, secret = created.value
    return PosKeyCreated(key=PosKeyRead.of(key), secret=secret)


@router.get("/pos-keys/{key_id}", response_model=PosKeyRead, tags=["pos keys"])
def get_pos_key(key_id: str, actor: CurrentActor, services: Services) -> PosKeyRead:
    return PosKeyRead.of(services.pos_keys.get(actor, key_id))


@router.delete(
    "/pos-keys/{key_id}",
    response_model=PosKeyRead,
    tags=["pos keys"],
    dependencies=[requires(P.POS_KEY_WRITE, Forbidden)],
)
def revoke_pos_key(key_id: str, actor: CurrentActor, services: Services) -> PosKeyRead:
    """Revoke a key at once; it stays listed with its revocation time."""
    return PosKeyRead.of(services.pos_keys.revoke(actor, key_id))
