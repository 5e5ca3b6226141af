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

# A partial refund of a purchase that used and earned points, by a cashier: 40 before the store
# came from the command's cache, the member's row was locked once per command, and the refund's
# receipt and the postings joined the write batch. Three reversals (spend, award, growth), each
# reading its original and its reversals and claiming its header, remain one statement apiece.
MAX_REFUND_STATEMENTS = 34


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
        statements, receipt = counted(container.database.engine, lambda: buy(cinema, body))
        assert (receipt["points_used"], receipt["points_earned"]) == (100, 46)
        commit = statements.index("COMMIT") + 1
        purchase, after = statements[:commit], statements[commit:]
        assert purchase.count("BEGIN") == 1, statements  # authentication came from the cache
        assert len(purchase) <= MAX_STATEMENTS, statements
        # after the commit, the rewards listener checks its configuration version: one indexed read
        assert after in ([], ["BEGIN", "SELECT", "COMMIT"]), after

        def refund(refund_no: str, amount_fen: int) -> dict:
            body = {
                "store_id": cinema.store_a,
                "order_no": "W-2",
                "refund_no": refund_no,
                "amount_fen": amount_fen,
            }
            response = client.post("/api/v1/counter/refunds", json=body, headers=auth(cinema.cashier))
            assert response.status_code == 201, response.text
            return response.json()

        refund("R-1", 1000)  # the refund path has run once in this process
        statements, refunded = counted(container.database.engine, lambda: refund("R-2", 1000))
        assert refunded["points_restored"] > 0, refunded
        assert refunded["points_clawed_back"] > 0, refunded
        commit = statements.index("COMMIT") + 1
        assert statements[:commit].count("BEGIN") == 1, statements
        assert len(statements[:commit]) <= MAX_REFUND_STATEMENTS, statements


def counted(engine, run):
    """The statements ``run`` sends (BEGIN and COMMIT included), and what it answers."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement.split(None, 1)[0])

    def begin(conn) -> None:
        statements.append("BEGIN")

    def commit(conn) -> None:
        statements.append("COMMIT")

    listeners = [("before_cursor_execute", count), ("begin", begin), ("commit", commit)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        answer = run()
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    return statements, answer
