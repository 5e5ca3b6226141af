"""Stories: a member exports their data and asks for erasure; afterwards no trace remains."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from tests.integration.members.conftest import make_world

from guildcard.db.engine import Database
from guildcard.members.actors import load_member_actor
from guildcard.members.domain.model import ConsentKind, MemberStatus
from guildcard.members.errors import MemberCodeInvalid, MemberNotFound

PHONE, DIGITS, NAME = "13812345678", "13812345678", "欧阳娜娜"


def everything_stored(database) -> str:
    """Every value of every table, as one string."""
    with database.read() as conn:
        values = []
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                values.extend(str(v) for v in row)
    return "\n".join(values)


def test_a_member_exports_everything_with_the_phone_in_clear(world):
    member = world.register(PHONE, name=NAME, birthday="1991-02-03").member
    world.members.profiles.set_consent(
        alliance_id="al_1", member_id=member.member_id, kind=ConsentKind.MARKETING, granted=True, version="m1"
    )
    shown = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)
    world.members.member_codes.redeem_member_code("al_1", shown.digits)

    data = world.members.privacy.export(alliance_id="al_1", member_id=member.member_id)

    json.dumps(data)  # serializable as is
    assert data["member"]["phone"] == "+8613812345678"
    assert data["member"]["phone_masked"] == "138****5678"
    assert data["profile"] == {"display_name": NAME, "gender": None, "birthday": "1991-02-03", "region": None}
    assert [(c["kind"], c["version"]) for c in data["consents"]] == [
        ("terms", "2026-11"),
        ("marketing", "m1"),
    ]
    assert len(data["member_code_scans"]) == 1


def test_erasure_destroys_identity_keeps_the_id_and_ends_every_session(world):
    signed = world.register(PHONE, name=NAME, birthday="1991-02-03")
    member = signed.member
    shown = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)

    result = world.members.privacy.erase(alliance_id="al_1", member_id=member.member_id)

    assert result.sessions_revoked == 1
    assert not result.already_erased
    assert result.pseudonym.startswith("已注销会员 ")
    assert world.subject_of(signed.token) is None
    with world.deps.database.read() as conn:
        row = conn.execute(text("SELECT member_id, status, pseudonym FROM members")).one()
    assert tuple(row) == (member.member_id, MemberStatus.ERASED.value, result.pseudonym)
    with pytest.raises(MemberNotFound):
        world.members.profiles.get(alliance_id="al_1", member_id=member.member_id)
    with pytest.raises(MemberCodeInvalid):
        world.members.member_codes.redeem_member_code("al_1", shown.digits)
    view = world.members.member_codes.customer_view_for_merchant(member.ref, "mer_A")
    assert not view.shared
    assert view.display_name is None
    history = world.deps.database
    with history.read() as conn:
        kinds = conn.execute(text("SELECT kind, version FROM member_consents")).all()
    assert [tuple(k) for k in kinds] == [("terms", "2026-11")], "consents keep kind, version and time"
    again = world.members.privacy.erase(alliance_id="al_1", member_id=member.member_id)
    assert again.already_erased
    assert again.pseudonym == result.pseudonym


def test_an_erased_member_signs_in_no_more_but_the_phone_may_register_anew(world):
    old = world.register(PHONE, name=NAME)
    subject = world.subject_of(old.token)
    world.members.privacy.erase(alliance_id="al_1", member_id=old.member.member_id)
    assert world.subject_of(old.token) is None
    with world.deps.database.read() as conn:
        assert load_member_actor(conn, subject) is None, "even a token that escaped revocation is refused"
    world.clock.advance(timedelta(minutes=1))
    fresh = world.register(PHONE)
    assert fresh.registered
    assert fresh.member.member_id != old.member.member_id


def test_after_erasure_no_trace_of_phone_or_name_in_any_table(world):
    member = world.register(PHONE, name=NAME, birthday="1991-02-03").member
    before = everything_stored(world.deps.database)
    phone_cipher_present = "v1:" in before
    assert phone_cipher_present
    world.members.privacy.erase(alliance_id="al_1", member_id=member.member_id)
    after = everything_stored(world.deps.database)
    for trace in (DIGITS, NAME, "1991-02-03", "v1:"):
        assert trace not in after, trace


def test_after_erasure_the_sqlite_file_holds_no_trace(tmp_path: Path, request):
    template: Path = request.getfixturevalue("_sqlite_template")
    path = tmp_path / "erasure.db"
    path.write_bytes(template.read_bytes())
    database = Database(f"sqlite:///{path}")
    world = make_world(database)
    member = world.register(PHONE, name=NAME, birthday="1991-02-03").member
    with database.read() as conn:
        secrets_stored = conn.execute(
            text("SELECT phone_cipher, phone_hash, name_cipher, birthday_cipher, totp_cipher FROM members")
        ).one()

    world.members.privacy.erase(alliance_id="al_1", member_id=member.member_id)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()

    wal = Path(f"{path}-wal")
    raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert DIGITS.encode() not in raw
    assert NAME.encode("utf-8") not in raw
    for value in secrets_stored:
        assert value.encode() not in raw, "no ciphertext or hash of the identity lingers in free pages"
