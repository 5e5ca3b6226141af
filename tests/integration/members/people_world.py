"""A bakery's member file and an alliance to import it into (import, linkage and merge stories)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from tests.integration.alliance.world import Builder, make_client

from guildcard.bootstrap import Container
from guildcard.ledger.verify import verify_alliance
from guildcard.loyalty import wallet_queries
from guildcard.members.import_files import Table, read_table

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "艳",
    "勇",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
]


@dataclass
class People:
    client: object
    container: Container
    alliance_id: str
    admin: str
    merchant_id: str
    owner: str

    def verify(self) -> list[object]:
        with self.container.database.read() as conn:  # the ledger, and the wallets against it
            return [*verify_alliance(conn, self.alliance_id), *wallet_queries.verify(conn, self.alliance_id)]


def people_world(database, code: str = "people") -> People:
    client, container = make_client(database)
    builder = Builder(client, container)
    alliance_id, admin = builder.alliance(code)
    merchant = builder.merchant(alliance_id, admin)
    return People(client, container, alliance_id, admin, merchant.id, merchant.owner)


def bakery_rows(count: int = 200) -> list[list[str]]:
    rows = []
    for n in range(count):
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]
        rows.append(
            [
                f"B{n:05d}",
                name,
                f"139{n:08d}",
                f"19{70 + n % 30}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "女" if n % 2 else "男",
                "2025-06-01",
                str(n % 7 * 10),
            ]
        )
    return rows


HEADER = ["会员号", "姓名", "手机号", "生日", "性别", "注册日期", "积分余额"]


def bakery_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def as_table(rows: list[list[str]]) -> Table:
    return read_table(bakery_csv(rows), "bakery.csv")
