"""Rows to domain objects and back. Functions run inside the caller's transaction.

Every read is keyed by the alliance first, so a wrong tenant finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from guildcard.alliance.domain.contracts import ContractLimits, ContractTerms, ContractVersion
from guildcard.alliance.domain.model import (
    Alliance,
    Coordinates,
    Merchant,
    MerchantStatus,
    Operator,
    OperatorRole,
    PosKey,
    StaffAccount,
    StaffRole,
    Store,
    TradeCategory,
)
from guildcard.alliance.domain.onboarding import Application, ApplicationDetails, ApplicationStatus
from guildcard.alliance.storage import tables as t
from guildcard.kernel.ids import new_id
from guildcard.privacy.cipher import FieldCipher

# --- alliances and categories -----------------------------------------------------------


def _alliance(row: RowMapping) -> Alliance:
    return Alliance(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        city=row["city"],
        time_zone=row["time_zone"],
        limits=ContractLimits.from_strings(row["contract_limits"]),
        created_at=row["created_at"],
    )


def get_alliance(conn: Connection, id_or_code: str) -> Alliance | None:
    column = t.alliances.c.id if id_or_code.startswith("all_") else t.alliances.c.code
    row = conn.execute(select(t.alliances).where(column == id_or_code)).mappings().first()
    return _alliance(row) if row else None


def list_alliances(conn: Connection) -> list[Alliance]:
    rows = conn.execute(select(t.alliances).order_by(t.alliances.c.code)).mappings()
    return [_alliance(r) for r in rows]


def categories(conn: Connection, alliance_id: str, *, active_only: bool = False) -> list[TradeCategory]:
    c = t.trade_categories.c
    stmt = select(t.trade_categories).where(c.alliance_id == alliance_id).order_by(c.position, c.code)
    if active_only:
        stmt = stmt.where(c.active.is_(True))
    return [TradeCategory(r["code"], r["name"], r["active"]) for r in conn.execute(stmt).mappings()]


def replace_categories(conn: Connection, alliance_id: str, items: Iterable[TradeCategory]) -> None:
    """Categories are never deleted (merchants refer to them): absent ones become inactive."""
    c = t.trade_categories.c
    conn.execute(update(t.trade_categories).where(c.alliance_id == alliance_id).values(active=False))
    existing = {cat.code for cat in categories(conn, alliance_id)}
    for position, cat in enumerate(items):
        values = {"name": cat.name, "active": cat.active, "position": position}
        if cat.code in existing:
            conn.execute(
                update(t.trade_categories)
                .where(c.alliance_id == alliance_id, c.code == cat.code)
                .values(**values)
            )
        else:
            conn.execute(insert(t.trade_categories).values(alliance_id=alliance_id, code=cat.code, **values))


# --- status events ----------------------------------------------------------------------


def add_status_event(
    conn: Connection,
    *,
    alliance_id: str,
    object_type: str,
    object_id: str,
    from_status: str | None,
    to_status: str,
    actor_kind: str,
    actor_id: str,
    reason: str | None,
    at: datetime,
) -> None:
    conn.execute(
        insert(t.status_events).values(
            alliance_id=alliance_id,
            id=new_id("evt"),
            object_type=object_type,
            object_id=object_id,
            from_status=from_status,
            to_status=to_status,
            actor_kind=actor_kind,
            actor_id=actor_id,
            reason=reason,
            at=at,
        )
    )


def status_events(
    conn: Connection, alliance_id: str, object_type: str, object_id: str
) -> list[dict[str, Any]]:
    c = t.status_events.c
    rows = conn.execute(
        select(t.status_events)
        .where(c.alliance_id == alliance_id, c.object_type == object_type, c.object_id == object_id)
        .order_by(c.id)
    ).mappings()
    return [dict(r) for r in rows]


# --- applications -----------------------------------------------------------------------


def phone_context(kind: str, object_id: str) -> str:
    return f"{kind}:{object_id}:contact_phone"


def application_of(row: RowMapping, cipher: FieldCipher) -> Application:
    details = ApplicationDetails(
        business_name=row["business_name"],
        category=row["category"],
        credit_code=row["credit_code"],
        legal_representative=row["legal_representative"],
        contact_phone=cipher.decrypt(
            row["contact_phone_enc"], context=phone_context("application", row["id"])
        ),
        store_name=row["store_name"],
        store_address=row["store_address"],
        store_coordinates=Coordinates.parse(row["store_latitude"], row["store_longitude"]),
    )
    return Application(
        id=row["id"],
        alliance_id=row["alliance_id"],
        details=details,
        status=ApplicationStatus(row["status"]),
        reason=row["reason"],
        merchant_id=row["merchant_id"],
        submitted_at=row["submitted_at"],
        updated_at=row["updated_at"],
    )


def application_values(
    details: ApplicationDetails, application_id: str, cipher: FieldCipher
) -> dict[str, Any]:
    return {
        "business_name": details.business_name,
        "category": details.category,
        "credit_code": details.credit_code,
        "legal_representative": details.legal_representative,
        "contact_phone_enc": cipher.encrypt(
            details.contact_phone, context=phone_context("application", application_id)
        ),
        "store_name": details.store_name,
        "store_address": details.store_address,
        "store_latitude": str(details.store_coordinates.latitude),
        "store_longitude": str(details.store_coordinates.longitude),
    }


def application_row(
    conn: Connection, alliance_id: str, application_id: str, *, lock: bool = False
) -> RowMapping | None:
    c = t.applications.c
    stmt = select(t.applications).where(c.alliance_id == alliance_id, c.id == application_id)
    if lock:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def application_rows(conn: Connection, alliance_id: str, status: str | None, limit: int) -> list[RowMapping]:
    c = t.applications.c
    stmt = select(t.applications).where(c.alliance_id == alliance_id)
    if status:
        stmt = stmt.where(c.status == status)
    return list(conn.execute(stmt.order_by(c.id.desc()).limit(limit)).mappings())


def credit_code_taken(
    conn: Connection, alliance_id: str, credit_code: str, *, except_id: str | None = None
) -> bool:
    a, m = t.applications.c, t.merchants.c
    stmt = select(a.id).where(
        a.alliance_id == alliance_id,
        a.credit_code == credit_code,
        a.status != ApplicationStatus.REJECTED.value,
    )
    if except_id:
        stmt = stmt.where(a.id != except_id)
    if conn.execute(stmt.limit(1)).first() is not None:
        return True
    merchant = select(m.id).where(m.alliance_id == alliance_id, m.credit_code == credit_code).limit(1)
    return conn.execute(merchant).first() is not None


# --- merchants and stores ---------------------------------------------------------------


def _merchant(row: RowMapping) -> Merchant:
    return Merchant(
        id=row["id"],
        alliance_id=row["alliance_id"],
        name=row["name"],
        category=row["category"],
        credit_code=row["credit_code"],
        legal_representative=row["legal_representative"],
        status=MerchantStatus(row["status"]),
        application_id=row["application_id"],
        created_at=row["created_at"],
    )


def get_merchant(
    conn: Connection, alliance_id: str, merchant_id: str, *, lock: bool = False
) -> Merchant | None:
    c = t.merchants.c
    stmt = select(t.merchants).where(c.alliance_id == alliance_id, c.id == merchant_id)
    if lock:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).mappings().first()
    return _merchant(row) if row else None


def merchant_phone(conn: Connection, alliance_id: str, merchant_id: str, cipher: FieldCipher) -> str:
    c = t.merchants.c
    enc = conn.execute(
        select(c.contact_phone_enc).where(c.alliance_id == alliance_id, c.id == merchant_id)
    ).scalar_one()
    return cipher.decrypt(enc, context=phone_context("merchant", merchant_id))


def list_merchants(conn: Connection, alliance_id: str, *, status: str | None = None) -> list[Merchant]:
    c = t.merchants.c
    stmt = select(t.merchants).where(c.alliance_id == alliance_id)
    if status:
        stmt = stmt.where(c.status == status)
    return [_merchant(r) for r in conn.execute(stmt.order_by(c.id)).mappings()]


def set_merchant_status(conn: Connection, alliance_id: str, merchant_id: str, status: MerchantStatus) -> None:
    c = t.merchants.c
    conn.execute(
        update(t.merchants)
        .where(c.alliance_id == alliance_id, c.id == merchant_id)
        .values(status=status.value)
    )


def _store(row: RowMapping) -> Store:
    return Store(
        id=row["id"],
        alliance_id=row["alliance_id"],
        merchant_id=row["merchant_id"],
        name=row["name"],
        address=row["address"],
        coordinates=Coordinates.parse(row["latitude"], row["longitude"]),
        created_at=row["created_at"],
        closed_at=row["closed_at"],
    )


def insert_store(conn: Connection, store: Store) -> None:
    conn.execute(
        insert(t.stores).values(
            alliance_id=store.alliance_id,
            id=store.id,
            merchant_id=store.merchant_id,
            name=store.name,
            address=store.address,
            latitude=str(store.coordinates.latitude),
            longitude=str(store.coordinates.longitude),
            created_at=store.created_at,
            closed_at=store.closed_at,
        )
    )


def update_store(conn: Connection, store: Store) -> None:
    c = t.stores.c
    conn.execute(
        update(t.stores)
        .where(c.alliance_id == store.alliance_id, c.id == store.id)
        .values(
            name=store.name,
            address=store.address,
            latitude=str(store.coordinates.latitude),
            longitude=str(store.coordinates.longitude),
            closed_at=store.closed_at,
        )
    )


def get_store(conn: Connection, alliance_id: str, store_id: str) -> Store | None:
    c = t.stores.c
    row = (
        conn.execute(select(t.stores).where(c.alliance_id == alliance_id, c.id == store_id))
        .mappings()
        .first()
    )
    return _store(row) if row else None


def list_stores(conn: Connection, alliance_id: str, merchant_id: str) -> list[Store]:
    c = t.stores.c
    rows = conn.execute(
        select(t.stores).where(c.alliance_id == alliance_id, c.merchant_id == merchant_id).order_by(c.id)
    ).mappings()
    return [_store(r) for r in rows]


# --- operators and staff ----------------------------------------------------------------


def login_taken(conn: Connection, alliance_id: str, login: str) -> bool:
    """Operators and staff share one login namespace per alliance."""
    for table in (t.operators, t.staff):
        found = conn.execute(
            select(table.c.id).where(table.c.alliance_id == alliance_id, table.c.login == login)
        ).first()
        if found is not None:
            return True
    return False


def _operator(row: RowMapping) -> Operator:
    return Operator(
        id=row["id"],
        alliance_id=row["alliance_id"],
        login=row["login"],
        display_name=row["display_name"],
        role=OperatorRole(row["role"]),
        disabled_at=row["disabled_at"],
        activated=row["password_hash"] is not None,
    )


def get_operator(conn: Connection, alliance_id: str, operator_id: str) -> Operator | None:
    c = t.operators.c
    row = (
        conn.execute(select(t.operators).where(c.alliance_id == alliance_id, c.id == operator_id))
        .mappings()
        .first()
    )
    return _operator(row) if row else None


def list_operators(conn: Connection, alliance_id: str) -> list[Operator]:
    c = t.operators.c
    rows = conn.execute(select(t.operators).where(c.alliance_id == alliance_id).order_by(c.id)).mappings()
    return [_operator(r) for r in rows]


def staff_store_ids(conn: Connection, alliance_id: str, staff_id: str) -> frozenset[str]:
    c = t.staff_stores.c
    ids = conn.execute(
        select(c.store_id).where(c.alliance_id == alliance_id, c.staff_id == staff_id)
    ).scalars()
    return frozenset(ids)


def _staff(conn: Connection, row: RowMapping) -> StaffAccount:
    return StaffAccount(
        id=row["id"],
        alliance_id=row["alliance_id"],
        merchant_id=row["merchant_id"],
        login=row["login"],
        display_name=row["display_name"],
        role=StaffRole(row["role"]),
        store_ids=staff_store_ids(conn, row["alliance_id"], row["id"]),
        disabled_at=row["disabled_at"],
        activated=row["password_hash"] is not None,
    )


def get_staff(conn: Connection, alliance_id: str, staff_id: str) -> StaffAccount | None:
    c = t.staff.c
    row = (
        conn.execute(select(t.staff).where(c.alliance_id == alliance_id, c.id == staff_id)).mappings().first()
    )
    return _staff(conn, row) if row else None


def list_staff(conn: Connection, alliance_id: str, merchant_id: str) -> list[StaffAccount]:
    c = t.staff.c
    rows = conn.execute(
        select(t.staff).where(c.alliance_id == alliance_id, c.merchant_id == merchant_id).order_by(c.id)
    ).mappings()
    return [_staff(conn, r) for r in rows]


def set_staff_stores(conn: Connection, alliance_id: str, staff_id: str, store_ids: Iterable[str]) -> None:
    c = t.staff_stores.c
    conn.execute(delete(t.staff_stores).where(c.alliance_id == alliance_id, c.staff_id == staff_id))
    for store_id in sorted(set(store_ids)):
        conn.execute(
            insert(t.staff_stores).values(alliance_id=alliance_id, staff_id=staff_id, store_id=store_id)
        )


# --- contracts --------------------------------------------------------------------------


def contract_versions(conn: Connection, alliance_id: str, merchant_id: str) -> list[ContractVersion]:
    c = t.contracts.c
    rows = conn.execute(
        select(t.contracts)
        .where(c.alliance_id == alliance_id, c.merchant_id == merchant_id)
        .order_by(c.effective_from)
    ).mappings()
    return [
        ContractVersion(
            id=r["id"],
            merchant_id=r["merchant_id"],
            effective_from=r["effective_from"],
            terms=ContractTerms.from_mapping(r["terms"]),
            created_at=r["created_at"],
            created_by=r["created_by"],
        )
        for r in rows
    ]


def insert_contract(conn: Connection, alliance_id: str, version: ContractVersion) -> None:
    conn.execute(
        insert(t.contracts).values(
            alliance_id=alliance_id,
            id=version.id,
            merchant_id=version.merchant_id,
            effective_from=version.effective_from,
            terms=version.terms.as_strings(),
            created_at=version.created_at,
            created_by=version.created_by,
        )
    )


# --- POS keys ---------------------------------------------------------------------------


def pos_key_of(row: RowMapping) -> PosKey:
    return PosKey(
        id=row["id"],
        alliance_id=row["alliance_id"],
        merchant_id=row["merchant_id"],
        store_id=row["store_id"],
        name=row["name"],
        prefix=row["prefix"],
        scopes=frozenset(row["scopes"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )


def get_pos_key(conn: Connection, alliance_id: str, key_id: str) -> PosKey | None:
    c = t.pos_keys.c
    row = (
        conn.execute(select(t.pos_keys).where(c.alliance_id == alliance_id, c.id == key_id))
        .mappings()
        .first()
    )
    return pos_key_of(row) if row else None


def list_pos_keys(conn: Connection, alliance_id: str, store_id: str) -> list[PosKey]:
    c = t.pos_keys.c
    rows = conn.execute(
        select(t.pos_keys).where(c.alliance_id == alliance_id, c.store_id == store_id).order_by(c.id)
    ).mappings()
    return [pos_key_of(r) for r in rows]
