"""Set-based expiry: every unconsumed remainder past its date moves to breakage in a few statements.

The member rows of affected lots are locked first (PostgreSQL), then the lots are snapshotted
into a temporary table restricted to those members, so a concurrent spend or release cannot
slip between the statements that post, update balances and zero the lots.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, text

from guildcard.db.types import UtcDateTime
from guildcard.ledger.domain.entries import PLATFORM_BREAKAGE

_CANDIDATES = (
    "FROM ledger_lots WHERE alliance_id = :a AND state = 'active' AND remaining > 0 "
    "AND expires_at IS NOT NULL AND expires_at <= :cutoff"
)


def snapshot_expiring(conn: Connection, alliance_id: str, cutoff: datetime) -> tuple[int, int, str | None]:
    """Lock and snapshot the lots to expire into ``gc_expiry_lots``: (lots, points, the first lot's id)."""
    params = {"a": alliance_id, "cutoff": cutoff}
    drop_snapshot(conn)
    conn.execute(
        _timed(f"CREATE TEMP TABLE gc_expiry_members AS SELECT DISTINCT member_id {_CANDIDATES}"), params
    )
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE gc_expiry_members"))  # temp tables have no statistics: plan a hash join
        conn.execute(
            text(
                "SELECT count(*) FROM (SELECT code FROM ledger_accounts WHERE alliance_id = :a AND code IN "
                "(SELECT 'member:' || member_id || '\\:points' FROM gc_expiry_members) "
                "ORDER BY code FOR UPDATE) s"
            ),
            {"a": alliance_id},
        )
    conn.execute(
        _timed(
            "CREATE TEMP TABLE gc_expiry_lots AS SELECT id, member_id, remaining "  # noqa: S608 - constant fragments, values are bound
            f"{_CANDIDATES} AND member_id IN (SELECT member_id FROM gc_expiry_members)"
        ),
        params,
    )
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE gc_expiry_lots"))
    row = conn.execute(
        text("SELECT count(*), coalesce(sum(remaining), 0), min(id) FROM gc_expiry_lots")
    ).one()
    return int(row[0]), int(row[1]), row[2]


def _timed(sql: str):  # type: ignore[no-untyped-def]
    """The cutoff bound as the column's type (SQLite compares stored text)."""
    return text(sql).bindparams(bindparam("cutoff", type_=UtcDateTime))


def move_to_breakage(conn: Connection, alliance_id: str, entry_id: str) -> None:
    """Post the snapshot to breakage (one posting per member), update balances, zero the lots."""
    p = {"a": alliance_id, "e": entry_id, "breakage": PLATFORM_BREAKAGE}
    conn.execute(
        text(
            "INSERT INTO ledger_consumptions (alliance_id, entry_id, lot_id, member_id, target, amount) "
            "SELECT :a, :e, id, member_id, :breakage, remaining FROM gc_expiry_lots"
        ),
        p,
    )
    conn.execute(
        text(
            "INSERT INTO ledger_postings (alliance_id, entry_id, line, account, unit, amount) "
            "SELECT :a, :e, 0, :breakage, 'POINT', sum(remaining) FROM gc_expiry_lots"
        ),
        p,
    )
    conn.execute(
        text(
            "INSERT INTO ledger_postings (alliance_id, entry_id, line, account, unit, amount) "
            "SELECT :a, :e, row_number() OVER (ORDER BY member_id), 'member:' || member_id || '\\:points', "
            "'POINT', -sum(remaining) FROM gc_expiry_lots GROUP BY member_id"
        ),
        p,
    )
    conn.execute(
        text(
            "UPDATE ledger_accounts SET balance = balance - t.total FROM "
            "(SELECT member_id, sum(remaining) AS total FROM gc_expiry_lots GROUP BY member_id) t "
            "WHERE ledger_accounts.alliance_id = :a "
            "AND ledger_accounts.code = 'member:' || t.member_id || '\\:points'"
        ),
        p,
    )
    conn.execute(
        text(
            "UPDATE ledger_lots SET remaining = 0 "
            "WHERE alliance_id = :a AND id IN (SELECT id FROM gc_expiry_lots)"
        ),
        p,
    )


def drop_snapshot(conn: Connection) -> None:
    conn.execute(text("DROP TABLE IF EXISTS gc_expiry_lots"))
    conn.execute(text("DROP TABLE IF EXISTS gc_expiry_members"))
