"""Set-based writes of member imports: keys, new members, batches, purchase history.

Personal fields are sealed with the same cipher and contexts as ``MemberRepository`` (so the
imported rows read back through it like any other member).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.members.domain.model import MemberStatus
from guildcard.members.storage.people_tables import (
    member_import_batches,
    member_imports,
    member_phone_aliases,
    member_purchase_history,
)
from guildcard.members.storage.repository import MemberRepository
from guildcard.members.storage.tables import member_numbers, members

CHUNK = 500  # IN (...) lists stay well under every backend's parameter limit


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


@dataclass(frozen=True)
class NewMember:
    member_id: str
    phone: str
    name: str | None
    gender: str | None
    birthday: str | None  # ISO date
    totp_secret: str
    pseudonym: str
    registered_at: datetime


class ImportRepository:
    def __init__(self, conn: Connection, members_repo: MemberRepository) -> None:
        self.conn = conn
        self.repo = members_repo

    def imported_keys(self, alliance_id: str, merchant_id: str, external_ids: list[str]) -> dict[str, str]:
        """external id -> member id, for the keys this merchant imported before."""
        c = member_imports.c
        found: dict[str, str] = {}
        for part in _chunks(external_ids):
            rows = self.conn.execute(
                select(c.external_id, c.member_id).where(
                    c.alliance_id == alliance_id, c.merchant_id == merchant_id, c.external_id.in_(part)
                )
            )
            found.update({r.external_id: r.member_id for r in rows})
        return found

    def members_by_phone_hash(self, alliance_id: str, hashes: list[str]) -> dict[str, str]:
        """phone hash -> member id, an absorbed member's phone resolving to its survivor."""
        found: dict[str, str] = {}
        for part in _chunks(hashes):
            rows = self.conn.execute(
                select(members.c.phone_hash, members.c.member_id).where(
                    members.c.alliance_id == alliance_id,
                    members.c.phone_hash.in_(part),
                    members.c.status == MemberStatus.ACTIVE.value,
                )
            )
            found.update({r.phone_hash: r.member_id for r in rows})
            a = member_phone_aliases.c
            aliases = self.conn.execute(
                select(a.phone_hash, a.member_id).where(a.alliance_id == alliance_id, a.phone_hash.in_(part))
            )
            for r in aliases:
                found.setdefault(r.phone_hash, r.member_id)
        return found

    def reserve_numbers(self, alliance_id: str, count: int) -> int:
        """Reserve ``count`` member numbers in one statement; the first of them."""
        self.repo.next_number(alliance_id)  # creates the counter row when needed and takes one
        last: int = self.conn.execute(
            update(member_numbers)
            .where(member_numbers.c.alliance_id == alliance_id)
            .values(last_number=member_numbers.c.last_number + (count - 1))
            .returning(member_numbers.c.last_number)
        ).scalar_one()
        return last - count + 1

    def add_members(
        self, alliance_id: str, new: list[NewMember], *, first_number: int, now: datetime
    ) -> None:
        seal = self.repo._seal  # the one place personal fields are sealed
        rows: list[dict[str, Any]] = []
        for offset, m in enumerate(new):
            key = (alliance_id, m.member_id)
            rows.append(
                {
                    "alliance_id": alliance_id,
                    "member_id": m.member_id,
                    "number": first_number + offset,
                    "status": MemberStatus.ACTIVE.value,
                    "phone_cipher": seal(key, "phone", m.phone),
                    "phone_hash": self.repo.phone_hash(alliance_id, m.phone),
                    "name_cipher": seal(key, "name", m.name),
                    "gender": m.gender,
                    "birthday_cipher": seal(key, "birthday", m.birthday),
                    "birthday_hash": (
                        self.repo.keyed_digest(m.birthday, scope=f"{alliance_id}:birthday")
                        if m.birthday
                        else None
                    ),
                    "region_cipher": None,
                    "totp_cipher": seal(key, "totp", m.totp_secret),
                    "pseudonym": m.pseudonym,
                    "registered_at": m.registered_at,
                    "updated_at": now,
                    "erased_at": None,
                }
            )
        if rows:
            self.conn.execute(insert(members), rows)

    def add_keys(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(member_imports), rows)

    def imported_member_ids(self, alliance_id: str, member_ids: list[str]) -> set[str]:
        c = member_imports.c
        found: set[str] = set()
        for part in _chunks(member_ids):
            found |= set(
                self.conn.execute(
                    select(c.member_id).where(c.alliance_id == alliance_id, c.member_id.in_(part))
                ).scalars()
            )
        return found

    def record_batch(
        self, *, alliance_id: str, batch_id: str, values: dict[str, Any], counts: dict[str, int]
    ) -> None:
        """Create the batch row, or add this chunk's counts to it."""
        upsert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        c = member_import_batches.c
        self.conn.execute(
            upsert(member_import_batches)
            .values(alliance_id=alliance_id, batch_id=batch_id, **values, **counts)
            .on_conflict_do_update(
                index_elements=[c.alliance_id, c.batch_id],
                set_={name: getattr(c, name) + value for name, value in counts.items()},
            )
        )

    @staticmethod
    def batches_of(conn: Connection, alliance_id: str, merchant_id: str | None, *, limit: int) -> list[Any]:
        c = member_import_batches.c
        query = select(member_import_batches).where(c.alliance_id == alliance_id)
        if merchant_id is not None:
            query = query.where(c.merchant_id == merchant_id)
        return list(conn.execute(query.order_by(c.imported_at.desc(), c.batch_id).limit(limit)))

    def batch(self, alliance_id: str, batch_id: str) -> Any:
        c = member_import_batches.c
        return self.conn.execute(
            select(member_import_batches).where(c.alliance_id == alliance_id, c.batch_id == batch_id)
        ).first()

    def member_ids_by_external(
        self, alliance_id: str, merchant_id: str | None, ids: list[str]
    ) -> dict[str, str]:
        c = member_imports.c
        found: dict[str, str] = {}
        for part in _chunks(ids):
            query = select(c.external_id, c.member_id).where(
                c.alliance_id == alliance_id, c.external_id.in_(part)
            )
            if merchant_id:
                query = query.where(c.merchant_id == merchant_id)
            found.update({r.external_id: r.member_id for r in self.conn.execute(query)})
        return found

    def known_orders(self, alliance_id: str, merchant_id: str, orders: list[str]) -> set[str]:
        c = member_purchase_history.c
        found: set[str] = set()
        for part in _chunks(orders):
            found |= set(
                self.conn.execute(
                    select(c.order_number).where(
                        c.alliance_id == alliance_id, c.merchant_id == merchant_id, c.order_number.in_(part)
                    )
                ).scalars()
            )
        return found

    def add_purchases(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(member_purchase_history), rows)
