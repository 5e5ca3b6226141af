"""Row-level SQL for the ledger's write path. Runs on the caller's connection; never commits.

Lock discipline (PostgreSQL): every change to a member's lots happens while holding that
member's ``points`` account row (taken by a conditional UPDATE or ``SELECT ... FOR UPDATE``);
holds are locked before their member. SQLite serializes writers (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.db.batch import WriteBatch
from guildcard.ledger.domain.entries import Entry, EntryHeader, Posting, Unit, parse_account
from guildcard.ledger.domain.lots import Lot, LotState
from guildcard.ledger.storage.statements import (
    PG_DRAW_INTO_BATCH,
    PG_DRAW_STEPS,
    driver_sql,
    statements,
)
from guildcard.ledger.storage.tables import (
    accounts,
    consumptions,
    entries,
    holds,
    lots,
    postings,
    reversals,
)

_ADD_TO_BALANCE = (
    "ON CONFLICT (alliance_id, code) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance"
)


class LedgerStore:
    def __init__(self, connection: Connection, alliance_id: str) -> None:
        self.conn = connection
        self.alliance_id = alliance_id
        self.is_pg = connection.dialect.name == "postgresql"
        self._insert = pg_insert if self.is_pg else sqlite_insert
        self.sql = statements(connection.dialect.name)
        self.raw = driver_sql(connection.dialect.name)
        self._held: set[str] = set()  # member rows this store has locked (until the transaction ends)

    # --- entries ---------------------------------------------------------------------------

    def claim_entry(self, entry: EntryHeader, *, scope: str, key: str, fingerprint: str) -> bool:
        """Insert the entry's header unless (scope, key) was used; False when it was.

        A concurrent duplicate on PostgreSQL waits for the first transaction, then sees it.
        """
        params = self.claim_params(entry, scope, key, fingerprint)
        params["occurred_at"], params["recorded_at"] = (
            self.raw.time(entry.occurred_at),
            self.raw.time(entry.recorded_at),
        )
        return self.conn.exec_driver_sql(self.raw.sql["claim_entry"], params).first() is not None

    def claim_params(self, entry: EntryHeader, scope: str, key: str, fingerprint: str) -> dict[str, Any]:
        return {
            "alliance_id": self.alliance_id,
            "id": entry.id,
            "kind": entry.kind,
            "scope": scope,
            "idem_key": key,
            "fingerprint": fingerprint,
            "reference": entry.reference,
            "member_id": entry.member_id,
            "counterparty": entry.counterparty,
            "amount": entry.amount,
            "reverses": entry.reverses,
            "occurred_at": entry.occurred_at,
            "recorded_at": entry.recorded_at,
        }

    def entry_by_key(self, scope: str, key: str) -> Row[Any]:
        return self.conn.execute(
            select(entries).where(
                entries.c.alliance_id == self.alliance_id, entries.c.scope == scope, entries.c.idem_key == key
            )
        ).one()

    def entry(self, entry_id: str) -> Row[Any] | None:
        return self.conn.execute(
            select(entries).where(entries.c.alliance_id == self.alliance_id, entries.c.id == entry_id)
        ).first()

    def add_postings(self, entry: Entry) -> None:
        self.add_postings_many([entry])

    def add_postings_many(self, entries: Sequence[Entry]) -> None:
        self.conn.exec_driver_sql(self.raw.sql["add_postings"], self.posting_rows(entries))

    def posting_rows(self, entries: Sequence[Entry]) -> list[dict[str, Any]]:
        return [
            {
                "alliance_id": self.alliance_id,
                "entry_id": entry.id,
                "line": line,
                "account": p.account,
                "unit": p.unit.value,
                "amount": p.amount,
            }
            for entry in entries
            for line, p in enumerate(entry.postings)
        ]

    def postings_of(self, entry_id: str) -> tuple[Posting, ...]:
        rows = self.conn.execute(
            select(postings)
            .where(postings.c.alliance_id == self.alliance_id, postings.c.entry_id == entry_id)
            .order_by(postings.c.line)
        )
        return _posting_rows_to_domain(rows)

    def ensure_accounts(self, entry: Entry, now: datetime) -> None:
        """Register the non-member accounts an entry touches (no balance, no row lock)."""
        self.ensure_codes({p.account: p.unit.value for p in entry.postings}, now)

    def ensure_codes(self, units_by_code: dict[str, str], now: datetime) -> None:
        rows = self._account_rows(units_by_code, now)
        if rows:
            self.conn.execute(self.sql.register_accounts, rows)

    def ensure_codes_into(self, writes: WriteBatch, units_by_code: dict[str, str], now: datetime) -> None:
        """``ensure_codes`` as a part of the command's write batch."""
        writes.insert(accounts, self._account_rows(units_by_code, now), suffix="ON CONFLICT DO NOTHING")

    def _account_rows(self, units_by_code: dict[str, str], now: datetime) -> list[dict[str, Any]]:
        rows = []
        for code, unit in units_by_code.items():
            ref = parse_account(code)
            if not ref.is_member:
                rows.append(
                    {
                        "alliance_id": self.alliance_id,
                        "code": code,
                        "unit": unit,
                        "owner_kind": ref.owner_kind,
                        "owner_id": ref.owner_id,
                        "balance": None,
                        "created_at": now,
                    }
                )
        return rows

    # --- member accounts (cached balances) ------------------------------------------------

    def credit(self, code: str, unit: str, amount: int, now: datetime) -> int:
        """Add ``amount`` to a member account (creating it); returns the new balance."""
        params = {
            "p_a": self.alliance_id,
            "p_code": code,
            "p_unit": str(unit),
            "p_amount": amount,
            "p_now": self.raw.time(now),
            "p_owner": parse_account(code).owner_id,
        }
        return int(self.conn.exec_driver_sql(self.raw.sql["credit"], params).scalar_one())

    def credit_into(self, writes: WriteBatch, deltas: dict[tuple[str, str], int], now: datetime) -> None:
        """Add each (code, unit)'s delta to its member account (creating it), as ONE upsert of the
        command's write batch (in code order, the order row locks are taken in)."""
        rows = [
            {"alliance_id": self.alliance_id, "code": code, "unit": unit, "owner_kind": "member",
             "owner_id": parse_account(code).owner_id, "balance": amount, "created_at": now}
            for (code, unit), amount in sorted(deltas.items())
            if amount
        ]  # fmt: skip
        writes.insert(accounts, rows, suffix=_ADD_TO_BALANCE)

    def credit_many(self, amounts: dict[str, int], unit: str, now: datetime) -> dict[str, int]:
        """Credit several member accounts in one statement (in code order); new balance per code."""
        params = [
            {"p_a": self.alliance_id, "p_code": code, "p_unit": unit, "p_amount": amount, "p_now": now,
             "p_owner": parse_account(code).owner_id}
            for code, amount in sorted(amounts.items())
        ]  # fmt: skip
        rows = self.conn.execute(self.sql.credit_many, params)
        return {code: int(balance) for code, balance in rows}

    def claim_many(self, params: list[dict[str, Any]]) -> set[str]:
        """Claim several entries at once; the ids that were new."""
        return {row[0] for row in self.conn.execute(self.sql.claim_entry, params)}

    def debit(self, code: str, unit: str, amount: int, *, floor: int, now: datetime) -> int | None:
        """Subtract ``amount`` unless the balance would fall below ``floor``; the new balance or None.

        One conditional UPDATE: it checks and writes under the row lock (no read-check-write).
        """
        params = {"p_a": self.alliance_id, "p_code": code, "p_amount": amount, "p_floor": floor}
        new = self.conn.exec_driver_sql(self.raw.sql["debit"], params).scalar()
        if new is not None:
            return int(new)
        if -amount >= floor and self.balance(code) is None:  # no account yet: start it negative
            return self.credit(code, unit, -amount, now)
        return None

    def balance(self, code: str) -> int | None:
        value = self.conn.execute(
            select(accounts.c.balance).where(
                accounts.c.alliance_id == self.alliance_id, accounts.c.code == code
            )
        ).scalar()
        return None if value is None else int(value)

    def lock_balance(self, code: str) -> int | None:
        """The balance, holding the row lock until the transaction ends (PostgreSQL)."""
        stmt = select(accounts.c.balance).where(
            accounts.c.alliance_id == self.alliance_id, accounts.c.code == code
        )
        value = self.conn.execute(stmt.with_for_update() if self.is_pg else stmt).scalar()
        self._held.add(code)
        return None if value is None else int(value)

    def hold_row(self, code: str) -> None:
        """Lock a member account's row for the transaction; once (a second lock adds nothing)."""
        if code not in self._held:
            self.lock_balance(code)

    # --- lots and consumptions --------------------------------------------------------------

    def add_lot(self, lot: Lot, entry_id: str) -> None:
        self.add_lots([(lot, entry_id)])

    def add_lots(self, pairs: Sequence[tuple[Lot, str]]) -> None:
        rows = []
        for lot, entry_id in pairs:
            row = self.lot_row(lot, entry_id)
            row["available_at"], row["expires_at"] = (
                self.raw.time(lot.available_at),
                self.raw.time(lot.expires_at),
            )
            rows.append(row)
        self.conn.exec_driver_sql(self.raw.sql["add_lot"], rows)

    def lot_row(self, lot: Lot, entry_id: str) -> dict[str, Any]:
        return {
            "alliance_id": self.alliance_id,
            "id": lot.id,
            "member_id": lot.member_id,
            "issuer": lot.issuer,
            "entry_id": entry_id,
            "amount": lot.amount,
            "remaining": lot.remaining,
            "state": lot.state.value,
            "available_at": lot.available_at,
            "expires_at": lot.expires_at,
        }

    def member_lots(self, member_id: str, *, state: LotState, with_remaining: bool = True) -> list[Lot]:
        if state is LotState.ACTIVE and with_remaining:
            rows = self.conn.exec_driver_sql(
                self.raw.sql["active_lots"], {"p_a": self.alliance_id, "p_member": member_id}
            )
            return [
                _lot(
                    r,
                    available_at=self.raw.parse_time(r.available_at),
                    expires_at=self.raw.parse_time(r.expires_at),
                )
                for r in rows
            ]
        conditions = [lots.c.alliance_id == self.alliance_id, lots.c.member_id == member_id]
        conditions.append(lots.c.state == state.value)
        if with_remaining:
            conditions.append(lots.c.remaining > 0)
        return [_lot(r) for r in self.conn.execute(select(lots).where(and_(*conditions)))]

    def lots_by_id(self, ids: Iterable[str]) -> dict[str, Lot]:
        rows = self.conn.execute(
            select(lots).where(lots.c.alliance_id == self.alliance_id, lots.c.id.in_(list(ids)))
        )
        return {r.id: _lot(r) for r in rows}

    def lot_of_entry(self, entry_id: str) -> Lot | None:
        row = self.conn.execute(
            select(lots).where(lots.c.alliance_id == self.alliance_id, lots.c.entry_id == entry_id)
        ).first()
        return None if row is None else _lot(row)

    def draw_lots(self, entry_id: str, member_id: str, amount: int, target: str) -> int | None:
        """PostgreSQL: draw ``amount`` from the member's lots in one statement; what was drawn.

        None on SQLite (no data-modifying CTEs): the caller plans the draw in Python. The caller
        holds the member's ``points`` row, so no other draw runs on these lots meanwhile.
        """
        if not self.is_pg:
            return None
        params = {"p_a": self.alliance_id, "p_member": member_id, "p_amount": amount,
                  "p_entry": entry_id, "p_target": target}  # fmt: skip
        return sum(int(r[0]) for r in self.conn.exec_driver_sql(self.raw.sql["draw"], params))

    def draw_lots_into(
        self, writes: WriteBatch, entry_id: str, member_id: str, amount: int, target: str,
        *, check: Callable[[int], None],
    ) -> None:  # fmt: skip
        """PostgreSQL: ``draw_lots`` as a part of the command's write batch; ``check`` gets what
        was drawn. The caller holds the member's ``points`` row."""
        params = {"p_a": self.alliance_id, "p_member": member_id, "p_amount": amount,
                  "p_entry": entry_id, "p_target": target}  # fmt: skip
        writes.add(
            PG_DRAW_INTO_BATCH, params, ctes=PG_DRAW_STEPS, tally="coalesce(sum(amount), 0)", check=check
        )

    def change_lots(self, changes: Sequence[tuple[str, int]]) -> None:
        """Subtract each amount from its lot's remainder (negative amounts restore)."""
        if changes:
            params = [
                {"p_a": self.alliance_id, "p_id": lot_id, "p_delta": delta} for lot_id, delta in changes
            ]
            self.conn.exec_driver_sql(self.raw.sql["change_lot"], params)

    def set_lot_state(self, lot_id: str, state: LotState) -> None:
        self.conn.execute(
            update(lots)
            .where(lots.c.alliance_id == self.alliance_id, lots.c.id == lot_id)
            .values(state=state.value)
        )

    def record_consumptions(
        self, entry_id: str, member_id: str, rows: Sequence[tuple[str, str, int]]
    ) -> None:
        """``rows`` of (lot id, target account, amount)."""
        merged: dict[tuple[str, str], int] = {}
        for lot_id, target, amount in rows:
            merged[(lot_id, target)] = merged.get((lot_id, target), 0) + amount
        values = [
            {
                "alliance_id": self.alliance_id,
                "entry_id": entry_id,
                "lot_id": lot_id,
                "member_id": member_id,
                "target": target,
                "amount": amount,
            }
            for (lot_id, target), amount in merged.items()
            if amount
        ]
        if values:
            self.conn.exec_driver_sql(self.raw.sql["add_consumptions"], values)

    def net_drawn(self, entry_ids: Sequence[str], target: str) -> dict[str, int]:
        """Per lot, what these entries still hold drawn toward ``target``."""
        rows = self.conn.execute(
            select(consumptions.c.lot_id, func.sum(consumptions.c.amount))
            .where(
                consumptions.c.alliance_id == self.alliance_id,
                consumptions.c.entry_id.in_(list(entry_ids)),
                consumptions.c.target == target,
            )
            .group_by(consumptions.c.lot_id)
        )
        return {lot_id: int(total) for lot_id, total in rows if total}

    def consumed_by(self, entry_id: str, target: str) -> int:
        value = self.conn.execute(
            select(func.coalesce(func.sum(consumptions.c.amount), 0)).where(
                consumptions.c.alliance_id == self.alliance_id,
                consumptions.c.entry_id == entry_id,
                consumptions.c.target == target,
            )
        ).scalar_one()
        return int(value)

    # --- holds ------------------------------------------------------------------------------

    def add_hold(self, **values: Any) -> None:
        self.conn.execute(holds.insert().values(alliance_id=self.alliance_id, **values))

    def close_hold(
        self, hold_id: str, *, state: str, entry_id: str, active_after: datetime | None
    ) -> Row[Any] | None:
        """Move an active hold to ``state`` (only if still active, and unexpired when given)."""
        conditions = [
            holds.c.alliance_id == self.alliance_id,
            holds.c.id == hold_id,
            holds.c.state == "active",
        ]
        if active_after is not None:
            conditions.append(holds.c.expires_at > active_after)
        return self.conn.execute(
            update(holds)
            .where(*conditions)
            .values(state=state, closing_entry_id=entry_id)
            .returning(holds.c.member_id, holds.c.target, holds.c.amount, holds.c.hold_entry_id)
        ).first()

    def hold(self, hold_id: str) -> Row[Any] | None:
        return self.conn.execute(
            select(holds).where(holds.c.alliance_id == self.alliance_id, holds.c.id == hold_id)
        ).first()

    def active_holds(self, member_id: str) -> list[Row[Any]]:
        """The member's open holds, oldest first, locked until commit."""
        c = holds.c
        query = (
            select(holds)
            .where(c.alliance_id == self.alliance_id, c.member_id == member_id, c.state == "active")
            .order_by(c.hold_entry_id, c.id)
            .with_for_update()
        )
        return list(self.conn.execute(query))

    def reassign_hold(self, hold_id: str, *, member_id: str, to: str, hold_entry_id: str) -> bool:
        """An open hold of ``member_id`` now belongs to ``to``, drawn by ``hold_entry_id`` (a merge)."""
        c = holds.c
        done = self.conn.execute(
            update(holds)
            .where(
                c.alliance_id == self.alliance_id,
                c.id == hold_id,
                c.member_id == member_id,
                c.state == "active",
            )
            .values(member_id=to, hold_entry_id=hold_entry_id)
        )
        return bool(done.rowcount)

    def hold_by_entry(self, column: str, entry_id: str) -> Row[Any] | None:
        return self.conn.execute(
            select(holds).where(holds.c.alliance_id == self.alliance_id, holds.c[column] == entry_id)
        ).first()

    # --- reversals --------------------------------------------------------------------------

    def reversals_of(self, original_id: str) -> list[Row[Any]]:
        return list(
            self.conn.execute(
                select(reversals)
                .where(reversals.c.alliance_id == self.alliance_id, reversals.c.original_id == original_id)
                .order_by(reversals.c.seq)
            )
        )

    def add_reversal(self, original_id: str, seq: int, reversal_id: str, amount: int) -> None:
        self.conn.execute(
            reversals.insert().values(
                alliance_id=self.alliance_id,
                original_id=original_id,
                seq=seq,
                reversal_id=reversal_id,
                amount=amount,
            )
        )


def _lot(row: Row[Any], **times: Any) -> Lot:
    if times:
        return Lot(
            id=row.id, member_id=row.member_id, issuer=row.issuer, amount=int(row.amount),
            remaining=int(row.remaining), state=LotState(row.state), **times,
        )  # fmt: skip
    return Lot(
        id=row.id,
        member_id=row.member_id,
        issuer=row.issuer,
        amount=int(row.amount),
        remaining=int(row.remaining),
        available_at=row.available_at,
        expires_at=row.expires_at,
        state=LotState(row.state),
    )


def _posting_rows_to_domain(rows: Iterable[Row[Any]]) -> tuple[Posting, ...]:
    return tuple(Posting(r.account, Unit(r.unit), int(r.amount)) for r in rows)
