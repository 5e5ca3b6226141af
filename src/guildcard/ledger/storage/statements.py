"""Hot-path statements built once per dialect and executed with parameters.

Building a statement with ``.values(...)`` on every call costs more than running it; these
are compiled once and reused, which keeps a ledger command close to the raw driver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
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


# --- driver-level SQL for the hottest statements ---------------------------------------------
# A compiled SQLAlchemy statement still costs ~80 µs per call in Python; driver SQL through
# ``exec_driver_sql`` costs ~20 µs. Templates name parameters as ``{name}``.

_DRIVER_TEMPLATES = {
    "claim_entry": (
        "INSERT INTO ledger_entries (alliance_id, id, kind, scope, idem_key, fingerprint, reference, "
        "member_id, counterparty, amount, reverses, occurred_at, recorded_at) "
        "VALUES ({alliance_id}, {id}, {kind}, {scope}, {idem_key}, {fingerprint}, {reference}, "
        "{member_id}, {counterparty}, {amount}, {reverses}, "
        "{occurred_at}, {recorded_at}) ON CONFLICT DO NOTHING RETURNING id"
    ),
    "credit": (
        "INSERT INTO ledger_accounts (alliance_id, code, unit, owner_kind, owner_id, balance, created_at) "
        "VALUES ({p_a}, {p_code}, {p_unit}, 'member', {p_owner}, {p_amount}, {p_now}) "
        "ON CONFLICT (alliance_id, code) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance "
        "RETURNING balance"
    ),
    "debit": (
        "UPDATE ledger_accounts SET balance = balance - {p_amount} "
        "WHERE alliance_id = {p_a} AND code = {p_code} AND balance - {p_amount} >= {p_floor} "
        "RETURNING balance"
    ),
    "add_lot": (
        "INSERT INTO ledger_lots (alliance_id, id, member_id, issuer, entry_id, amount, remaining, state, "
        "available_at, expires_at) VALUES ({alliance_id}, {id}, {member_id}, {issuer}, {entry_id}, {amount}, "
        "{remaining}, {state}, {available_at}, {expires_at})"
    ),
    "add_postings": (
        "INSERT INTO ledger_postings (alliance_id, entry_id, line, account, unit, amount) "
        "VALUES ({alliance_id}, {entry_id}, {line}, {account}, {unit}, {amount})"
    ),
    "active_lots": (
        "SELECT id, member_id, issuer, amount, remaining, state, available_at, expires_at FROM ledger_lots "
        "WHERE alliance_id = {p_a} AND member_id = {p_member} AND state = 'active' AND remaining > 0"
    ),
    "change_lot": (
        "UPDATE ledger_lots SET remaining = remaining - {p_delta} WHERE alliance_id = {p_a} AND id = {p_id}"
    ),
    "add_consumptions": (
        "INSERT INTO ledger_consumptions (alliance_id, entry_id, lot_id, member_id, target, amount) "
        "VALUES ({alliance_id}, {entry_id}, {lot_id}, {member_id}, {target}, {amount})"
    ),
}

# PostgreSQL only: the whole lot draw in one statement. The member's active lots in consumption
# order (soonest expiry first, never-expiring last, then oldest, then id — as ``plan_draws``), each
# taking what is left of the amount after the lots before it; the lots change and the
# consumptions are written by the same statement, which answers one row per lot drawn.
# The same draw as steps of a command's write batch (``guildcard.db.batch``: ``{name}`` parameters,
# ``[[name]]`` for the steps, which join the batch's WITH list).
PG_DRAW_STEPS = (
    (
        "ordered",
        "SELECT id, remaining, (sum(remaining) OVER (ORDER BY expires_at ASC NULLS LAST, available_at, id"
        " ROWS UNBOUNDED PRECEDING) - remaining)::bigint AS before"
        " FROM ledger_lots WHERE alliance_id = {p_a} AND member_id = {p_member}"
        " AND state = 'active' AND remaining > 0",
    ),
    (
        "draws",
        "SELECT id, LEAST(remaining, {p_amount} - before) AS take FROM [[ordered]] WHERE before < {p_amount}",
    ),
    (
        "changed",
        "UPDATE ledger_lots SET remaining = ledger_lots.remaining - [[draws]].take FROM [[draws]]"
        " WHERE ledger_lots.alliance_id = {p_a} AND ledger_lots.id = [[draws]].id"
        " RETURNING ledger_lots.id, [[draws]].take",
    ),
)
PG_DRAW_INTO_BATCH = (
    "INSERT INTO ledger_consumptions (alliance_id, entry_id, lot_id, member_id, target, amount)"
    " SELECT {p_a}, {p_entry}, id, {p_member}, {p_target}, take FROM [[changed]] RETURNING amount"
)


def _standalone_draw() -> str:
    """The draw as one statement of its own."""
    steps = ", ".join(f"{name} AS ({body})" for name, body in PG_DRAW_STEPS)
    sql = f"WITH {steps} {PG_DRAW_INTO_BATCH}".replace("[[", "").replace("]]", "")
    return re.sub(r"\{(\w+)\}", r"%(\1)s", sql)


_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's DateTime stores times in SQLite


class _Placeholders(dict[str, str]):
    def __init__(self, style: str) -> None:
        super().__init__()
        self.style = style

    def __missing__(self, name: str) -> str:
        return self.style.format(name)


@dataclass(frozen=True)
class DriverSql:
    """Driver-level SQL and the time conversions it needs (SQLite stores UTC text)."""

    dialect: str
    sql: dict[str, str]

    def time(self, moment: datetime | None) -> Any:
        if moment is None or self.dialect == "postgresql":
            return moment
        return moment.astimezone(UTC).strftime(_SQLITE_TIME)

    def parse_time(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value.astimezone(UTC) if value is not None else None
        return datetime.strptime(value, _SQLITE_TIME).replace(tzinfo=UTC)


@cache
def driver_sql(dialect: str) -> DriverSql:
    marks = _Placeholders("%({})s" if dialect == "postgresql" else ":{}")
    sql = {name: t.format_map(marks) for name, t in _DRIVER_TEMPLATES.items()}
    if dialect == "postgresql":
        sql["draw"] = _standalone_draw()
    return DriverSql(dialect, sql)
