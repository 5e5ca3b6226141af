"""Writes a command does not need to read back: on PostgreSQL, all of them in one statement.

A command's last writes (the ledger's headers, balances, lots and postings, the finished
purchase row, the audit line, the outbox events) depend on nothing the database answers but
a few checks. ``WriteBatch`` keeps them and, at ``flush()``, sends them to PostgreSQL as ONE
statement of data-modifying CTEs (``WITH w0 AS (INSERT ...), w1 AS (UPDATE ...) SELECT ...``):
one round trip instead of one per write. A part may ask for a tally of the rows it returns
(``count`` or the ``total`` of a column) and a ``check`` of that tally, run after the statement;
a check that raises rolls the whole transaction back, so nothing is half-written.

All parts see the snapshot taken when the statement starts: a part never reads what another
part of the same batch writes, and no two parts may change the same row (callers merge, e.g.
one balance delta per account). SQLite has no data-modifying CTEs: each part runs at ``add``,
in order, and its check runs at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CTE_NAME = re.compile(r"\[\[(\w+)\]\]")


@dataclass(frozen=True)
class _Part:
    sql: str  # with ``{name}`` placeholders; ``[[name]]`` names one of its own ``ctes``
    params: dict[str, Any]
    ctes: tuple[tuple[str, str], ...]
    tally: str | None  # SQL aggregate over the part's RETURNING rows, e.g. "count(*)"
    check: Callable[[int], None] | None


class WriteBatch:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection
        self.deferred = connection.dialect.name == "postgresql"
        self._parts: list[_Part] = []

    def __bool__(self) -> bool:
        return bool(self._parts)

    def insert(
        self,
        table: Table,
        rows: Sequence[Mapping[str, Any]],
        *,
        suffix: str = "",
        count: Callable[[int], None] | None = None,
    ) -> None:
        """A multi-row insert; ``suffix`` e.g. ``ON CONFLICT DO NOTHING RETURNING id`` (then
        ``count`` checks how many rows it returned)."""
        if not rows:
            return
        names = list(rows[0])
        params: dict[str, Any] = {}
        values = []
        for i, row in enumerate(rows):
            for name in names:
                params[f"r{i}_{name}"] = self._bound(table, name, row[name])
            values.append("(" + ", ".join(f"{{r{i}_{name}}}" for name in names) + ")")
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES {', '.join(values)} {suffix}"  # noqa: S608
        self.add(sql.rstrip(), params, tally="count(*)" if count else None, check=count)

    def update(self, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        """``UPDATE table SET values WHERE key`` (the columns of ``key`` equal to its values)."""
        params = {f"s_{k}": self._bound(table, k, v) for k, v in values.items()}
        params |= {f"k_{k}": self._bound(table, k, v) for k, v in key.items()}
        sets = ", ".join(f"{k} = {{s_{k}}}" for k in values)
        where = " AND ".join(f"{k} = {{k_{k}}}" for k in key)
        self.add(f"UPDATE {table.name} SET {sets} WHERE {where}", params)  # noqa: S608 - column names

    def _bound(self, table: Table, column: str, value: Any) -> Any:
        dialect = self.conn.dialect
        processor = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        return value if value is None or processor is None else processor(value)

    def add(
        self,
        sql: str,
        params: Mapping[str, Any],
        *,
        tally: str | None = None,
        check: Callable[[int], None] | None = None,
        ctes: Sequence[tuple[str, str]] = (),
    ) -> None:
        """One write (``{name}`` placeholders). ``tally``: an aggregate of its RETURNING rows,
        e.g. ``coalesce(sum(amount), 0)``, handed to ``check``. ``ctes``: (name, body) the write
        reads from (``[[name]]`` in the bodies and the write); in a batch they join its WITH list."""
        part = _Part(sql, dict(params), tuple(ctes), tally, check)
        if self.deferred:
            self._parts.append(part)
            return
        with_list = ", ".join(f"{name} AS ({body})" for name, body in part.ctes)
        sql = f"WITH {with_list} {part.sql}" if with_list else part.sql
        rows = self.conn.exec_driver_sql(_render(sql, ":{}", ""), part.params)
        if check is None:
            return
        returned = [r[0] for r in rows] if rows.returns_rows else []
        check(_tally_in_python(tally, returned))

    def flush(self) -> None:
        """Send what is kept as one statement, then run the checks in order."""
        if not self._parts:
            return
        parts, self._parts = self._parts, []
        ctes, tallies, params = [], [], {}
        for i, part in enumerate(parts):
            for name, body in part.ctes:
                ctes.append(f"w{i}_{name} AS ({_render(body, '%({})s', f'w{i}_')})")
            ctes.append(f"w{i} AS ({_render(part.sql, '%({})s', f'w{i}_')})")
            params.update({f"w{i}_{k}": v for k, v in part.params.items()})
            if part.tally is not None:
                tallies.append(f"(SELECT {part.tally} FROM w{i})")  # noqa: S608 - the callers' aggregates
        select = ", ".join(tallies) or "1"
        row = self.conn.exec_driver_sql(f"WITH {', '.join(ctes)} SELECT {select}", params).one()
        values = iter(row)
        for part in parts:
            if part.tally is not None:
                value = next(values)
                if part.check is not None:
                    part.check(int(value or 0))


def _render(sql: str, style: str, prefix: str) -> str:
    """Placeholders in the driver's ``style``, parameters and CTE names led by ``prefix``."""
    sql = _CTE_NAME.sub(lambda m: prefix + m.group(1), sql)
    return _PLACEHOLDER.sub(lambda m: style.format(prefix + m.group(1)), sql)


def _tally_in_python(tally: str | None, returned: list[Any]) -> int:
    """SQLite: the same tally over the rows the part returned (count, or a sum of the first column)."""
    if tally == "count(*)":
        return len(returned)
    return sum(int(v) for v in returned)
