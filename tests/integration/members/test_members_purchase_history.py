"""Importing a merchant's purchase history: by the merchant's member id or a phone, no points unless asked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.integration.members.people_world import as_table, bakery_rows, people_world

from guildcard.kernel.actors import system_actor
from guildcard.ledger.queries.accounts import LedgerQueries
from guildcard.members.import_files import read_table
from guildcard.members.storage.people_tables import member_purchase_history

pytestmark = pytest.mark.slow

PURCHASES = """会员,门店,消费时间,金额,订单号,件数
B00001,,2025-07-01 12:30,38.50,O-1,2
13900000002,,2025-07-02,¥120,O-2,1
B00001,,2025-07-03T09:00:00+08:00,12,O-3,
NOBODY,,2025-07-04,10,O-4,1
B00002,,yesterday,10,O-5,1
"""


def test_purchase_history_imports_without_points_and_twice_changes_nothing(database):
    world = people_world(database, "history")
    with world.client:
        actor = system_actor(world.alliance_id, "cli")
        service = world.container.members.imports
        service.import_members(actor, alliance_id=world.alliance_id, merchant_id=world.merchant_id,
                               table=as_table([[*r[:6], "0"] for r in bakery_rows(5)]),
                               source_name="m.csv", basis="b")  # fmt: skip
        table = read_table(PURCHASES.encode(), "purchases.csv")
        report = service.import_purchases(
            actor,
            alliance_id=world.alliance_id,
            merchant_id=world.merchant_id,
            table=table,
            source_name="p.csv",
        )
        assert report.created == 3
        assert [(e.row, e.field) for e in report.errors] == [(5, "occurred_at")]
        assert report.unknown_member_rows == [4]
        assert report.points == 0
        again = service.import_purchases(
            actor,
            alliance_id=world.alliance_id,
            merchant_id=world.merchant_id,
            table=table,
            source_name="p.csv",
        )
        assert (again.created, again.unchanged) == (0, 3)
        with world.container.database.read() as conn:
            total = conn.execute(
                select(func.sum(member_purchase_history.c.amount_fen)).where(
                    member_purchase_history.c.alliance_id == world.alliance_id
                )
            ).scalar_one()
            member = conn.execute(
                select(member_purchase_history.c.member_id).where(
                    member_purchase_history.c.order_number == "O-1"
                )
            ).scalar_one()
            balance = LedgerQueries(conn, alliance_id=world.alliance_id).balance(member)
        assert total == 3850 + 12000 + 1200
        assert balance.available == 0  # no points unless asked
        assert world.verify() == []

        # without --merchant, each row names its merchant; an unknown one is a bad row; points when asked
        by_row = read_table(
            f"会员,商户,消费时间,金额,订单号\nB00003,{world.merchant_id},2025-08-01,25.00,O-9\n"
            "B00003,没有这家店,2025-08-01,25.00,O-10\n".encode(),
            "p2.csv",
        )
        mixed = service.import_purchases(
            actor, alliance_id=world.alliance_id, merchant_id=None, table=by_row, source_name="p2.csv",
            award_points=True,
        )  # fmt: skip
        assert (mixed.created, mixed.points) == (1, 25)
        assert [(e.row, e.field) for e in mixed.errors] == [(2, "merchant")]
        assert world.verify() == []
