"""Stories at the counter: the rotating member code, look-up by phone, what a merchant sees."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from tests.integration.members.conftest import make_world

from guildcard.members.domain.model import ConsentKind
from guildcard.members.errors import (
    LookupNotAllowed,
    MemberCodeAlreadyUsed,
    MemberCodeInvalid,
    MemberNotFound,
)


def test_a_member_code_is_accepted_once(world):
    member = world.register("13812345678").member
    shown = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)
    assert 1 <= shown.expires_in <= 30
    ref = world.members.member_codes.redeem_member_code("al_1", shown.digits)
    assert ref == member.ref
    with pytest.raises(MemberCodeAlreadyUsed):
        world.members.member_codes.redeem_member_code("al_1", shown.digits)


def test_a_member_code_is_useless_in_another_alliance(world):
    world.register("13812345678", alliance_id="al_1")
    world.register("13912345678", alliance_id="al_2")  # number 1 in al_2 too, another secret
    member = world.register("13700001111", alliance_id="al_1").member
    shown = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)
    with pytest.raises(MemberCodeInvalid):
        world.members.member_codes.redeem_member_code("al_2", shown.digits)
    assert world.members.member_codes.redeem_member_code("al_1", shown.digits) == member.ref


def test_a_screenshot_stops_working_after_its_window(world):
    member = world.register("13812345678").member
    shown = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)
    world.clock.advance(timedelta(seconds=shown.expires_in + 30))
    with pytest.raises(MemberCodeInvalid):
        world.members.member_codes.redeem_member_code("al_1", shown.digits)


def test_one_step_of_clock_drift_is_tolerated_but_an_older_code_after_a_newer_is_not(world):
    member = world.register("13812345678").member
    older = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)
    world.clock.advance(timedelta(seconds=older.expires_in))
    newer = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)
    assert newer.digits != older.digits
    world.members.member_codes.redeem_member_code("al_1", newer.digits)
    with pytest.raises(MemberCodeAlreadyUsed):
        world.members.member_codes.redeem_member_code("al_1", older.digits)
    world.clock.advance(timedelta(seconds=30))
    late = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)
    world.clock.advance(timedelta(seconds=30))
    assert world.members.member_codes.redeem_member_code("al_1", late.digits) == member.ref


@pytest.mark.parametrize("garbage", ["", "123", "abcdefgh", "0123456", "9999999"])
def test_garbage_is_not_a_member_code(world, garbage):
    world.register("13812345678")
    with pytest.raises(MemberCodeInvalid):
        world.members.member_codes.redeem_member_code("al_1", garbage)


def test_two_concurrent_scans_of_one_code_accept_it_once(pg_database):
    world = make_world(pg_database)
    member = world.register("13812345678").member
    shown = world.members.member_codes.show_member_code(alliance_id="al_1", member_id=member.member_id)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def scan() -> None:
        barrier.wait()
        try:
            world.members.member_codes.redeem_member_code("al_1", shown.digits)
            outcomes.append("accepted")
        except MemberCodeAlreadyUsed:
            outcomes.append("refused")

    threads = [threading.Thread(target=scan) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["accepted"] + ["refused"] * 5


def test_phone_look_up_at_the_counter_needs_the_members_consent(world):
    member = world.register("13812345678").member
    with pytest.raises(LookupNotAllowed):
        world.members.member_codes.lookup_by_phone_for_counter("al_1", "13812345678")
    world.members.profiles.set_consent(
        alliance_id="al_1",
        member_id=member.member_id,
        kind=ConsentKind.PHONE_LOOKUP,
        granted=True,
        version="1",
    )
    assert world.members.member_codes.lookup_by_phone_for_counter("al_1", "138-1234-5678") == member.ref
    with pytest.raises(MemberNotFound):
        world.members.member_codes.lookup_by_phone_for_counter("al_2", "13812345678")


def test_without_sharing_consent_a_merchant_sees_a_pseudonymous_masked_customer(world):
    member = world.register("13812345678", name="王芳", birthday="1988-08-08").member
    view = world.members.member_codes.customer_view_for_merchant(member.ref, "mer_A")
    assert not view.shared
    assert view.label.startswith("会员 ")
    assert len(view.label) == 7
    assert view.display_name is None
    assert view.phone_masked is None
    assert "王芳" not in str(view)
    assert "12345678" not in str(view)
    other = world.members.member_codes.customer_view_for_merchant(member.ref, "mer_B")
    assert other.customer_ref != view.customer_ref, "merchants cannot join their customer lists"
    assert world.members.member_codes.customer_view_for_merchant(member.ref, "mer_A") == view

    world.members.profiles.set_consent(
        alliance_id="al_1", member_id=member.member_id, kind=ConsentKind.SHARING, granted=True, version="1"
    )
    shared = world.members.member_codes.customer_view_for_merchant(member.ref, "mer_A")
    assert (shared.shared, shared.display_name, shared.phone_masked) == (True, "王芳", "138****5678")
