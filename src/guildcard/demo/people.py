"""The demo's member import and de-duplication: a tea shop brings its own members, some twice.

Through the services only: the tea shop's owner file (40 members, 4 of them entered a second
time with a newer phone and the birthday written another way) is imported, the alliance's
linkage job finds the duplicates, and the near-certain ones among the imported members are merged.
"""

from __future__ import annotations

import random

from guildcard.bootstrap import Container
from guildcard.demo.names import GIVEN_ANY, GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from guildcard.demo.setup import SeededAlliance
from guildcard.kernel.actors import system_actor
from guildcard.members.errors import MergeRefused
from guildcard.members.import_files import Table
from guildcard.members.linkage import model

HEADER = ["会员号", "姓名", "手机号", "生日", "性别", "注册日期", "积分余额"]
IMPORTED = 40
TWICE = 4


def _file(rng: random.Random) -> Table:
    rows: list[list[object]] = []
    for n in range(IMPORTED):
        name = (
            rng.choice([s for s, _ in SURNAMES])
            + rng.choice(GIVEN_ANY)
            + rng.choice(GIVEN_FEMALE + GIVEN_MALE)
        )
        birthday = f"{rng.randint(1965, 2002)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rows.append(
            [f"TEA{n:04d}", name, f"1580021{n:04d}", birthday, rng.choice("男女"), "2025-03-01", n * 5]
        )
    for n, row in enumerate(rows[:TWICE]):
        year, month, day = str(row[3]).split("-")
        rows.append([f"TEA9{n:03d}", row[1], f"+86 159 0021 {n:04d}",  # a newer phone
                     f"{year}{day}{month}" if int(day) <= 12 else f"{year}/{month}/{day}",
                     row[4], "2025-05-01", 20])  # fmt: skip
    return Table(HEADER, rows)


def seed_people(container: Container, alliance: SeededAlliance, *, seed: int) -> dict[str, int]:
    """Import the tea shop's file, find duplicates, merge the near-certain imported ones."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    actor = system_actor(alliance.id, "demo")
    merchant = alliance.merchants[min(2, len(alliance.merchants) - 1)]
    members = container.members
    report = members.imports.import_members(
        actor,
        alliance_id=alliance.id,
        merchant_id=merchant.id,
        table=_file(rng),
        source_name="tea-members.xlsx",
        basis="会员入会时签署了联盟会员共享条款",
    )
    run = members.merging.find_duplicates(actor, alliance.id)
    merged = 0
    for pair in members.merging.pairs(alliance.id):
        if merged >= 3 or pair.probability < model.UPPER_THRESHOLD:
            continue
        try:
            members.merging.merge(actor, alliance.id, pair.member_l, pair.member_r, pair.pair_id)
        except MergeRefused:  # one of the two was merged in an earlier pair
            continue
        merged += 1
    return {
        "members_imported": report.created + report.linked,
        "duplicates_found": run.added,
        "members_merged": merged,
    }
