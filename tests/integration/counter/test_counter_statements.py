"""How many statements one purchase costs on PostgreSQL: pinned, so that it cannot creep back.

The purchase pays part with points and earns points, through the API with a real POS-less
cashier session, on the real contexts. Authentication is served from the actor cache after the
first request; the command's transaction reads its configuration versions once and its loyalty
settings, rules, campaigns and limits from caches kept current by those versions.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event
from tests.integration.alliance.world import Builder, auth, make_client
from tests.integration.test_coalition_story import member_code, sign_up

# BEGIN and COMMIT included (40 before the write path was tightened, authentication included;
# 24 before the set-based lot draw, the cached stores and contracts and the claims together;
# 19 before the command's write batch). Left: BEGIN, the configuration versions, the purchase
# claim, the member behind the code (with their latest code step and sharing consent), the
# balance lock, the member's tier with the alliance's tier design (TierDesk.benefits; issue 13),
# ONE statement of data-modifying CTEs writing the code's use, the entry headers, the net balance
# changes, the lot drawn and the lot earned, the consumptions, the postings, the finished purchase
# row, the audit line and the outbox event (``guildcard.db.batch``), COMMIT.
MAX_STATEMENTS = 8


@pytest.mark.postgresql
def test_a_purchase_paying_with_points_and_earning_costs_a_pinned_number_of_statements(pg_database):
    client, container = make_client(pg_database)
    with client:
        world = Builder(client, container).world("stm")
        hot_pot, cinema = world.merchants
        member = sign_up(client, world.id, "13912345678")

        def order(merchant, order_no: str, amount_fen: int, points: int = 0) -> dict:
            container.clock.advance(timedelta(seconds=31))  # a fresh member code
            return {
                "store_id": merchant.store_a, "member_code": member_code(client, member),
                "order_no": order_no, "amount_fen": amount_fen, "points_to_use": points,
            }  # fmt: skip

        def buy(merchant, body: dict) -> dict:
            response = client.post("/api/v1/counter/purchases", json=body, headers=auth(merchant.cashier))
            assert response.status_code == 201, response.text
            return response.json()

        buy(hot_pot, order(hot_pot, "W-1", 50000))  # earns 475 points
        buy(cinema, order(cinema, "W-2", 5000, points=100))  # the process now knows every account
        body = order(cinema, "W-3", 5000, points=100)
        statements: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            statements.append(statement.split(None, 1)[0])

        engine = container.database.engine
        event.listen(engine, "before_cursor_execute", count)
        event.listen(engine, "begin", lambda conn: statements.append("BEGIN"))
        event.listen(engine, "commit", lambda conn: statements.append("COMMIT"))
        try:
            receipt = buy(cinema, body)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert (receipt["points_used"], receipt["points_earned"]) == (100, 46)
        commit = statements.index("COMMIT") + 1
        purchase, after = statements[:commit], statements[commit:]
        assert purchase.count("BEGIN") == 1, statements  # authentication came from the cache
        assert len(purchase) <= MAX_STATEMENTS, statements
        # after the commit, the rewards listener checks its configuration version: one indexed read
        assert after in ([], ["BEGIN", "SELECT", "COMMIT"]), after
