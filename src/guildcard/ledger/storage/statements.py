"""Hot-path statements built once per dialect and executed with parameters.

Building a statement with ``.values(...)`` on every call costs more than running it; these
are compiled once and reused, which keeps a ledger command close to the raw driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.ledger.storage.tables import accounts, consumptions, entries, lots, postings


@dataclass(frozen=True)
class Statements:
    claim_entry: Any
    credit: Any
    credit_many: Any
    debit: Any
    add_lot: Any
    add_postings: Any
    add_consumptions: Any
    change_lot: Any
    active_lots: Any
    register_accounts: Any


@cache
def statements(dialect: str) -> Statements:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = insert(accounts).values(
        alliance_id=bindparam("p_a"),
        code=bindparam("p_code"),
        unit=bindparam("p_unit"),
        owner_kind="member",
        owner_id=bindparam("p_owner"),
        balance=bindparam("p_amount"),
        created_at=bindparam("p_now"),
    )
    return Statements(
        claim_entry=insert(entries).on_conflict_do_nothing().returning(entries.c.id),
        credit=upsert.on_conflict_do_update(
            index_elements=[accounts.c.alliance_id, accounts.c.code],
            set_={"balance": accounts.c.balance + upsert.excluded.balance},
        ).returning(accounts.c.balance),
        credit_many=upsert.on_conflict_do_update(
            index_elements=[accounts.c.alliance_id, accounts.c.code],
            set_={"balance": accounts.c.balance + upsert.excluded.balance},
        ).returning(accounts.c.code, accounts.c.balance),
        debit=update(accounts)
        .where(
            accounts.c.alliance_id == bindparam("p_a"),
            accounts.c.code == bindparam("p_code"),
            accounts.c.balance - bindparam("p_amount") >= bindparam("p_floor"),
        )
        .values(balance=accounts.c.balance - bindparam("p_amount"))
        .returning(accounts.c.balance),
        add_lot=lots.insert(),
        add_postings=postings.insert(),
        add_consumptions=consumptions.insert(),
        change_lot=update(lots)
        .where(lots.c.alliance_id == bindparam("p_a"), lots.c.id == bindparam("p_id"))
        .values(remaining=lots.c.remaining - bindparam("p_delta")),
        active_lots=select(lots).where(
            lots.c.alliance_id == bindparam("p_a"),
            lots.c.member_id == bindparam("p_member"),
            lots.c.state == "active",
            lots.c.remaining > 0,
        ),
        register_accounts=insert(accounts).on_conflict_do_nothing(),
    )
