"""The counter benchmark's server: the product's app plus one bare route, for the HTTP baseline.

``uvicorn --factory guildcard.cli.bench_server:create_bench_app --workers N`` serves exactly
what ``guildcard serve`` serves (``guildcard.api.asgi.create``: settings from ``GUILDCARD_*``,
the real bootstrap) and adds ``POST /bench/tpcb``: pgbench's tpcb-like transaction (3 updates,
1 select, 1 insert on the ``pgbench_*`` tables, which the benchmark initializes in the same
database) on the app's own engine, so psycopg through SQLAlchemy, the same pool and the same
threadpool as the counter's routes. The product's app never has this route.
"""

from __future__ import annotations

import random
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from guildcard.api.asgi import create
from guildcard.db.engine import Database

TPCB_ROUTE = "/bench/tpcb"

_UPDATE_ACCOUNT = text("UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid")
_SELECT_ACCOUNT = text("SELECT abalance FROM pgbench_accounts WHERE aid = :aid")
_UPDATE_TELLER = text("UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid")
_UPDATE_BRANCH = text("UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid")
_INSERT_HISTORY = text(
    "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) "
    "VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP)"
)


def tpcb_route(database: Database) -> Any:
    """A sync route (run in the threadpool, like the counter's) for pgbench's built-in tpcb-like script."""
    with database.engine.connect() as conn:
        branches = int(conn.execute(text("SELECT count(*) FROM pgbench_branches")).scalar_one())

    def tpcb() -> dict[str, int]:
        aid = random.randint(1, 100_000 * branches)
        bid, tid = random.randint(1, branches), random.randint(1, 10 * branches)
        delta = random.randint(-5000, 5000)
        values = {"aid": aid, "bid": bid, "tid": tid, "delta": delta}
        with database.engine.begin() as conn:
            conn.execute(_UPDATE_ACCOUNT, values)
            balance = int(conn.execute(_SELECT_ACCOUNT, values).scalar_one())
            conn.execute(_UPDATE_TELLER, values)
            conn.execute(_UPDATE_BRANCH, values)
            conn.execute(_INSERT_HISTORY, values)
        return {"balance": balance}

    return tpcb


def create_bench_app() -> FastAPI:
    app = create()
    app.add_api_route(
        TPCB_ROUTE, tpcb_route(app.state.container.database), methods=["POST"], include_in_schema=False
    )
    return app
