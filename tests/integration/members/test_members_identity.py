"""Stories: a member registers and signs in by phone and one-time code; the limits hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from tests.integration.members.conftest import TERMS, make_world

from guildcard.members.actors import load_member_actor
from guildcard.members.domain.model import ConsentKind
from guildcard.members.domain.otp import OtpPolicy, OtpPurpose
from guildcard.members.errors import (
    CodeExhausted,
    CodeExpired,
    CodeInvalid,
    DailyCodeLimit,
    ResendTooSoon,
    TermsConsentRequired,
    TooManyRequests,
    UnknownAlliance,
)
from guildcard.privacy.phones import InvalidPhone

PHONE = "138 1234 5678"
DIGITS = "13812345678"


def test_a_new_phone_registers_with_terms_and_gets_a_member_session(world):
    signed = world.register(PHONE)

    assert signed.registered
    assert signed.member.phone == "+8613812345678"
    subject = world.subject_of(signed.token)
    assert subject is not None
    assert subject.actor_id == signed.member.member_id
    with world.deps.database.read() as conn:
        actor = load_member_actor(conn, subject)
        assert actor is not None
        assert actor.id == signed.member.member_id
        row = conn.execute(text("SELECT * FROM members")).one()
    assert DIGITS not in " ".join(str(v) for v in row), "the phone is stored encrypted"
    consents = world.members.profiles.consents(alliance_id="al_1", member_id=signed.member.member_id)
    assert [(c.kind, c.granted, c.version) for c in consents] == [(ConsentKind.TERMS, True, TERMS)]


def test_signing_in_again_finds_the_same_member(world):
    first = world.register(PHONE)
    world.clock.advance(timedelta(minutes=2))
    code = world.send_code(PHONE)
    again = world.members.identity.sign_in(
        alliance_id="al_1", phone="+86 13812345678", code=code, client_ip="x"
    )
    assert not again.registered
    assert again.member.member_id == first.member.member_id
    assert again.token != first.token


def test_one_member_per_phone_per_alliance(world):
    in_one = world.register(PHONE, alliance_id="al_1")
    in_two = world.register(PHONE, alliance_id="al_2")
    assert in_one.member.member_id != in_two.member.member_id
    with world.deps.database.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM members")).scalar_one() == 2


def test_registering_needs_consent_to_the_terms_and_the_code_survives_the_refusal(world):
    code = world.send_code(PHONE)
    with pytest.raises(TermsConsentRequired):
        world.members.identity.sign_in(alliance_id="al_1", phone=PHONE, code=code, client_ip="x")
    signed = world.members.identity.sign_in(
        alliance_id="al_1", phone=PHONE, code=code, client_ip="x", terms_version=TERMS
    )
    assert signed.registered


def test_a_code_works_once(world):
    code = world.send_code(PHONE)
    world.members.identity.sign_in(
        alliance_id="al_1", phone=PHONE, code=code, client_ip="x", terms_version=TERMS
    )
    with pytest.raises(CodeInvalid):
        world.members.identity.sign_in(alliance_id="al_1", phone=PHONE, code=code, client_ip="x")


def test_wrong_codes_count_down_and_then_the_code_is_dead(world):
    code = world.send_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    left = []
    for _ in range(4):
        with pytest.raises(CodeInvalid) as refused:
            world.members.identity.sign_in(alliance_id="al_1", phone=PHONE, code=wrong, client_ip="x")
        left.append(refused.value.details["attempts_left"])
    assert left == [4, 3, 2, 1]
    with pytest.raises(CodeExhausted):
        world.members.identity.sign_in(alliance_id="al_1", phone=PHONE, code=wrong, client_ip="x")
    with pytest.raises(CodeExhausted):
        world.members.identity.sign_in(
            alliance_id="al_1", phone=PHONE, code=code, client_ip="x", terms_version=TERMS
        )


def test_a_code_expires_after_ten_minutes(world):
    code = world.send_code(PHONE)
    world.clock.advance(timedelta(minutes=10))
    with pytest.raises(CodeExpired):
        world.members.identity.sign_in(
            alliance_id="al_1", phone=PHONE, code=code, client_ip="x", terms_version=TERMS
        )


def test_codes_are_stored_only_as_keyed_hashes(world):
    code = world.send_code(PHONE)
    with world.deps.database.read() as conn:
        row = conn.execute(text("SELECT * FROM member_otps")).one()
    stored = " ".join(str(v) for v in row)
    assert code not in stored.replace(row.otp_id, "")
    assert DIGITS not in stored


def test_a_new_code_only_after_sixty_seconds(world):
    world.send_code(PHONE)
    world.clock.advance(timedelta(seconds=45))
    with pytest.raises(ResendTooSoon) as refused:
        world.send_code(PHONE)
    assert refused.value.details["retry_after"] == 15
    world.clock.advance(timedelta(seconds=15))
    world.send_code(PHONE)
    assert len(world.outbox.messages()) == 2


def test_at_most_ten_codes_per_phone_per_day(world):
    for _ in range(10):
        world.send_code(PHONE)
        world.clock.advance(timedelta(minutes=1))
    with pytest.raises(DailyCodeLimit) as refused:
        world.send_code(PHONE)
    assert refused.value.details["retry_after"] > 0
    world.clock.advance(timedelta(days=1))
    world.send_code(PHONE)


def test_too_many_requests_from_one_address(database):
    world = make_world(database, policy=OtpPolicy(per_ip_requests="3/hour", per_ip_sign_ins="2/hour"))
    for n in range(3):
        world.send_code(f"1391234000{n}", ip="10.0.0.9")
    with pytest.raises(TooManyRequests) as refused:
        world.send_code("13912340009", ip="10.0.0.9")
    assert refused.value.details["retry_after"] > 0
    world.send_code("13912340009", ip="10.0.0.10")
    for _ in range(2):
        with pytest.raises(CodeInvalid):
            world.members.identity.sign_in(
                alliance_id="al_1", phone="13912340009", code="999999", client_ip="e"
            )
    with pytest.raises(TooManyRequests):
        world.members.identity.sign_in(alliance_id="al_1", phone="13912340009", code="999999", client_ip="e")


def test_bad_phones_and_unknown_alliances_are_refused(world):
    with pytest.raises(InvalidPhone):
        world.send_code("12345")
    with pytest.raises(UnknownAlliance):
        world.members.identity.request_code(
            alliance_id="al_nope", phone=PHONE, purpose=OtpPurpose.REGISTER, client_ip="x"
        )


def test_a_fixed_development_code_is_the_code(database):
    world = make_world(database, fixed_otp="246810")
    assert world.send_code(PHONE) == "246810"
