"""Members writes on the command bus: events in the outbox without personal data, replays,
and what a failed sign-in or a failed send leaves behind."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from tests.integration.members.conftest import TERMS

from guildcard.audit.log import AuditEntry
from guildcard.audit.tables import audit_log
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import IdempotencyConflict, PermissionDenied
from guildcard.members.domain.duplicates import Verdict
from guildcard.members.domain.model import ConsentKind
from guildcard.members.domain.otp import OtpPurpose
from guildcard.members.errors import CodeInvalid, ResendTooSoon
from guildcard.members.handlers.profiles import SetConsent
from guildcard.members.ports import OutgoingCode
from guildcard.members.senders import SmsUnavailable
from guildcard.members.services.identity import IdentityService
from guildcard.pipeline import outbox
from guildcard.web.audit_view import readable

PHONE = "13812345678"
REVIEWER = Actor(ActorKind.OPERATOR, "opr_1", "al_1", role="reviewer")


def pending(world):
    with world.deps.database.read() as conn:
        return outbox.pending(conn, "al_1")


def count(world, table: str) -> int:
    with world.deps.database.read() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_registering_emits_one_event_with_ids_only(world):
    member = world.register(PHONE, name="陈静", birthday="1993-09-09").member

    [event] = pending(world)
    assert (event.name, event.subject) == ("members.member_registered", member.member_id)
    assert event.payload == {"member_id": member.member_id, "alliance_id": "al_1", "how": "sign_in"}
    stored = json.dumps(event.payload, ensure_ascii=False)
    for personal in (PHONE, "陈静", "1993"):
        assert personal not in stored
    world.clock.advance(timedelta(minutes=2))
    world.members.identity.sign_in(
        alliance_id="al_1", phone=PHONE, code=world.send_code(PHONE), client_ip="x"
    )
    assert len(pending(world)) == 1, "signing in again registers no one"


def test_a_members_changes_are_told_by_name_and_field_never_by_value(world):
    member = world.register(PHONE).member
    mid, profiles = member.member_id, world.members.profiles
    profiles.update(
        alliance_id="al_1", member_id=mid, changes={"display_name": "陈静", "birthday": date(1993, 9, 9)}
    )
    profiles.update(
        alliance_id="al_1", member_id=mid, changes={"display_name": "陈静"}
    )  # no change: no event
    profiles.set_consent(
        alliance_id="al_1", member_id=mid, kind=ConsentKind.SHARING, granted=True, version="s-1"
    )
    world.members.privacy.erase(alliance_id="al_1", member_id=mid)

    events = pending(world)
    assert [(e.name, e.subject) for e in events] == [
        ("members.member_registered", mid),
        ("members.profile_updated", mid),
        ("members.consent_changed", mid),
        ("members.member_erased", mid),
    ]
    assert events[1].payload == {"member_id": mid, "fields": ["display_name", "birthday"]}
    assert events[2].payload == {"member_id": mid, "kind": "sharing", "granted": True}
    stored = json.dumps([e.payload for e in events], ensure_ascii=False)
    for personal in (PHONE, "陈静", "1993"):
        assert personal not in stored


def test_a_consent_change_with_a_key_replays_and_another_body_conflicts(world):
    mid = world.register(PHONE).member.member_id
    profiles = world.members.profiles

    def sharing(granted: bool):
        return profiles.set_consent(
            alliance_id="al_1", member_id=mid, kind=ConsentKind.SHARING, granted=granted, version="s-1",
            idempotency_key="tap-1",
        )  # fmt: skip

    first = sharing(True)
    world.clock.advance(timedelta(minutes=1))
    again = sharing(True)
    assert (first.changed, first.replayed) == (True, False)
    assert again.replayed
    assert again.consent == first.consent, "the first result, recorded_at included"
    with pytest.raises(IdempotencyConflict):
        sharing(False)
    history = profiles.consents(alliance_id="al_1", member_id=mid)
    assert [(c.kind, c.granted) for c in history] == [(ConsentKind.TERMS, True), (ConsentKind.SHARING, True)]
    assert [e.name for e in pending(world)].count("members.consent_changed") == 1


def test_a_wrong_code_keeps_only_its_attempt(world):
    code = world.send_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3):
        with pytest.raises(CodeInvalid) as refused:
            world.members.identity.sign_in(
                alliance_id="al_1", phone=PHONE, code=wrong, client_ip="x", terms_version=TERMS
            )
        assert refused.value.details["attempts_left"] == left, "each wrong attempt was kept"

    written = ("members", "member_consents", "auth_tokens", "outbox_events", "idempotency_records")
    assert [count(world, table) for table in written] == [0, 0, 0, 0, 0]
    signed = world.members.identity.sign_in(
        alliance_id="al_1", phone=PHONE, code=code, client_ip="x", terms_version=TERMS
    )
    assert signed.registered


def test_one_time_codes_are_kept_out_of_every_record(world):
    code = world.send_code(PHONE)
    world.members.identity.sign_in(
        alliance_id="al_1", phone=PHONE, code=code, client_ip="x", terms_version=TERMS
    )
    with world.deps.database.read() as conn:
        rows = [
            conn.execute(text(f"SELECT * FROM {table}")).all()
            for table in ("outbox_events", "idempotency_records", "audit_log")
        ]
    assert code not in repr(rows)


class FailingSender:
    def send(self, message: OutgoingCode) -> None:
        raise SmsUnavailable()


def test_a_code_that_could_not_be_sent_is_taken_back(world):
    failing = IdentityService(replace(world.deps, sender=FailingSender(), bus=None))
    with pytest.raises(SmsUnavailable):
        failing.request_code(alliance_id="al_1", phone=PHONE, purpose=OtpPurpose.LOGIN, client_ip="x")
    assert count(world, "member_otps") == 0
    world.send_code(PHONE)  # at once: no resend wait for a code never sent
    with pytest.raises(ResendTooSoon):
        world.send_code(PHONE)


def test_only_the_member_changes_their_own_data(world):
    mid = world.register(PHONE).member.member_id
    other = world.register("13912345678").member.member_id
    command = SetConsent(
        alliance_id="al_1", member_id=mid, kind=ConsentKind.MARKETING, granted=True, version="1"
    )
    with pytest.raises(PermissionDenied):
        world.deps.bus.execute(Actor(ActorKind.MEMBER, other, "al_1"), command)


def test_a_review_is_audited_and_told(world):
    world.register(PHONE, name="张伟", birthday="1990-05-01")
    world.register("13912345678", name="张伟", birthday="1990-05-01")
    [pair] = world.members.duplicates.list(actor=REVIEWER, alliance_id="al_1")
    flag = pair.flag
    world.members.duplicates.review(
        actor=REVIEWER, alliance_id="al_1", flag_id=flag.flag_id, verdict=Verdict.SAME
    )
    world.members.duplicates.review(
        actor=REVIEWER, alliance_id="al_1", flag_id=flag.flag_id, verdict=Verdict.SAME
    )

    reviewed = [e for e in pending(world) if e.name == "members.duplicate_reviewed"]
    assert [e.payload for e in reviewed] == [
        {"flag_id": flag.flag_id, "verdict": "same_person", "member_ids": [flag.member_a, flag.member_b]}
    ]
    with world.deps.database.read() as conn:
        lines = conn.execute(audit_log.select().where(audit_log.c.action == "members.duplicate_review")).all()
    assert [(r.action, r.actor_id, r.object_id) for r in lines] == [
        ("members.duplicate_review", "opr_1", flag.flag_id)
    ]


def test_wrong_codes_registration_profile_and_consents_leave_audit_lines_without_personal_data(world):
    code = world.send_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(CodeInvalid):
        world.members.identity.sign_in(
            alliance_id="al_1", phone=PHONE, code=wrong, client_ip="x", terms_version=TERMS
        )
    mid = world.members.identity.sign_in(
        alliance_id="al_1", phone=PHONE, code=code, client_ip="x", terms_version=TERMS
    ).member.member_id
    world.members.profiles.update(alliance_id="al_1", member_id=mid, changes={"display_name": "陈静"})
    world.members.profiles.set_consent(
        alliance_id="al_1", member_id=mid, kind=ConsentKind.MARKETING, granted=True, version="2026-11"
    )
    world.clock.advance(timedelta(minutes=2))
    world.send_code(PHONE)  # a known member types a wrong code: the line is on the member
    with pytest.raises(CodeInvalid):
        world.members.identity.sign_in(alliance_id="al_1", phone=PHONE, code=wrong, client_ip="x")
    with world.deps.database.read() as conn:
        lines = conn.execute(audit_log.select().order_by(audit_log.c.at, audit_log.c.id)).all()
    actions = [(r.action, r.object_type) for r in lines]
    assert sorted(actions) == sorted([
        ("members.otp_failed", "otp"), ("members.register", "member"), ("members.sign_in", "member"),
        ("members.update_profile", "member"), ("members.set_consent", "member"),
        ("members.otp_failed", "member"),
    ])  # fmt: skip
    assert {r.object_id for r in lines if r.object_type == "member"} == {mid}
    profile_line = next(r for r in lines if r.action == "members.update_profile")
    assert profile_line.details == {"fields": ["display_name"]}
    assert "陈静" not in repr(lines)
    assert PHONE.removeprefix("+86")[-8:] not in repr(lines)


def test_a_successful_sign_in_is_audited_on_the_member_without_the_phone(world):
    first = world.members.identity.sign_in(
        alliance_id="al_1", phone=PHONE, code=world.send_code(PHONE), client_ip="x", terms_version=TERMS
    )
    world.clock.advance(timedelta(minutes=2))
    code = world.send_code(PHONE)
    world.members.identity.sign_in(alliance_id="al_1", phone=PHONE, code=code, client_ip="x")
    with world.deps.database.read() as conn:
        query = audit_log.select().where(audit_log.c.action == "members.sign_in").order_by(audit_log.c.at)
        lines = conn.execute(query).all()
    assert [(r.object_type, r.object_id, r.details) for r in lines] == [
        ("member", first.member.member_id, {"registered": True}),
        ("member", first.member.member_id, {"registered": False}),
    ]
    assert PHONE.removeprefix("+86")[-8:] not in repr(lines)
    entry = AuditEntry(**{f.name: getattr(lines[1], f.name) for f in fields(AuditEntry)})
    line = readable(entry, {}, "zh-CN")  # as the audit pages show it
    assert (line.what, line.details) == ("会员登录", "新注册：否")
