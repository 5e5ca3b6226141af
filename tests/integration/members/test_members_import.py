"""Importing a bakery's members: bad rows reported, existing phones linked, re-import changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.integration.members.people_world import as_table, bakery_rows, people_world

from guildcard.kernel.actors import Actor, ActorKind, system_actor
from guildcard.ledger.queries.accounts import LedgerQueries
from guildcard.members.domain.otp import OtpPurpose
from guildcard.members.errors import ImportHasBadRows, ImportNotAllowed
from guildcard.members.storage.repository import MemberRepository
from guildcard.members.storage.tables import member_consents, members
from guildcard.privacy.phones import normalize_phone

pytestmark = pytest.mark.slow


def _file_with_problems() -> list[list[str]]:
    rows = bakery_rows(200)
    rows[10][2] = "12345"  # phone
    rows[20][3] = "1990-02-30"  # birthday
    rows[30][0] = ""  # the merchant's member id
    rows[40][4] = "未知"  # gender
    rows[50][6] = "-5"  # opening points
    return rows


def test_import_reports_bad_rows_links_known_phones_and_reimport_changes_nothing(database):
    world = people_world(database)
    with world.client:
        members_service = world.container.members
        existing = _register_three(world)  # three bakery customers joined before the bakery did
        service = members_service.imports
        actor = system_actor(world.alliance_id, "cli")
        rows = _file_with_problems()
        report = service.import_members(
            actor,
            alliance_id=world.alliance_id,
            merchant_id=world.merchant_id,
            table=as_table(rows),
            source_name="bakery.csv",
            basis="会员入会时已同意共享",
        )
        assert report.rows == 200
        assert sorted((e.row, e.field) for e in report.errors) == [
            (11, "phone"), (21, "birthday"), (31, "external_id"), (41, "gender"), (51, "opening_points"),
        ]  # fmt: skip
        assert report.created == 192
        assert report.linked == 3
        assert sorted(report.linked_member_ids) == sorted(existing)
        expected_points = sum(int(r[6]) for i, r in enumerate(rows) if i not in {10, 20, 30, 40, 50})
        assert report.points == expected_points
        assert world.verify() == []

        with world.container.database.read() as conn:
            count = conn.execute(
                select(func.count()).select_from(members).where(members.c.alliance_id == world.alliance_id)
            ).scalar_one()
            # imported members have no consent of their own (no marketing until they agree)
            consents = conn.execute(
                select(func.count())
                .select_from(member_consents)
                .where(member_consents.c.alliance_id == world.alliance_id)
            ).scalar_one()
            balance = LedgerQueries(conn, alliance_id=world.alliance_id).balance(existing[0])
        assert count == 195
        assert consents == 3  # the terms the three registered members accepted themselves
        assert balance.available == 10  # row 2 of the file carried 10 opening points to the linked member

        again = service.import_members(
            actor,
            alliance_id=world.alliance_id,
            merchant_id=world.merchant_id,
            table=as_table(rows),
            source_name="bakery.csv",
            basis="会员入会时已同意共享",
        )
        assert (again.created, again.linked, again.unchanged, again.points) == (0, 0, 195, 0)
        assert world.verify() == []

        # the imported member's personal data is stored encrypted and reads back through the repository
        deps = world.container.members.deps
        with deps.database.read() as conn:
            imported = MemberRepository(conn, deps.cipher, deps.lookup).by_phone(
                world.alliance_id, normalize_phone("13900000100")
            )
            raw = conn.execute(select(members.c.name_cipher).where(members.c.member_id == imported.member_id))
            assert raw.scalar_one().startswith("v1:")
        assert imported is not None
        assert imported.profile.display_name == rows[100][1]
        assert imported.registered_at.date().isoformat() == "2025-06-01"


def _register_three(world) -> list[str]:
    ids = []
    for phone in ("13900000001", "13900000002", "13900000003"):
        world.container.members.identity.request_code(
            alliance_id=world.alliance_id, phone=phone, purpose=OtpPurpose.LOGIN, client_ip=f"ip-{phone}"
        )
        code = world.container.members.deps.sender.messages(phone=normalize_phone(phone))[0].code
        signed = world.container.members.identity.sign_in(
            alliance_id=world.alliance_id,
            phone=phone,
            code=code,
            client_ip=f"ip-{phone}",
            terms_version="2026-11",
        )
        ids.append(signed.member.member_id)
    return ids


def test_all_or_nothing_refuses_a_file_with_a_bad_row_and_writes_nothing(database):
    world = people_world(database, "strict")
    with world.client:
        service = world.container.members.imports
        with pytest.raises(ImportHasBadRows):
            service.import_members(
                system_actor(world.alliance_id, "cli"),
                alliance_id=world.alliance_id,
                merchant_id=world.merchant_id,
                table=as_table(_file_with_problems()),
                source_name="bakery.csv",
                basis="b",
                all_or_nothing=True,
            )
        with world.container.database.read() as conn:
            count = conn.execute(
                select(func.count()).select_from(members).where(members.c.alliance_id == world.alliance_id)
            ).scalar_one()
        assert count == 0


def test_a_cashier_cannot_import(database):
    world = people_world(database, "cashier")
    with world.client:
        cashier = Actor(
            ActorKind.STAFF, "stf_x", world.alliance_id, role="cashier", merchant_id=world.merchant_id
        )
        with pytest.raises(ImportNotAllowed):
            world.container.members.imports.import_members(
                cashier,
                alliance_id=world.alliance_id,
                merchant_id=world.merchant_id,
                table=as_table(bakery_rows(3)),
                source_name="bakery.csv",
                basis="b",
            )
