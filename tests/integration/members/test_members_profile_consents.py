"""Stories: a minimal profile, and consents recorded separately with version and time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from guildcard.members.domain.model import ConsentKind, Gender
from guildcard.members.errors import BirthdayLocked, InvalidProfile, TermsConsentRequired


def test_a_member_keeps_a_minimal_profile(world):
    member = world.register("13812345678").member
    updated = world.members.profiles.update(
        alliance_id="al_1",
        member_id=member.member_id,
        changes={
            "display_name": " 李娜 ",
            "gender": Gender.FEMALE,
            "birthday": date(1992, 3, 4),
            "region": "杭州",
        },
    )
    assert (updated.profile.display_name, updated.profile.gender, updated.profile.region) == (
        "李娜",
        Gender.FEMALE,
        "杭州",
    )
    cleared = world.members.profiles.update(
        alliance_id="al_1", member_id=member.member_id, changes={"region": None}
    )
    assert cleared.profile.region is None
    assert cleared.profile.display_name == "李娜"
    again = world.members.profiles.get(alliance_id="al_1", member_id=member.member_id)
    assert again.profile == cleared.profile


def test_the_birthday_is_set_once_the_name_changes_freely(world):
    """The birthday drives the birthday gift: a member sets it once; the name changes at will."""
    member_id = world.register("13812345678").member.member_id
    update = world.members.profiles.update
    update(alliance_id="al_1", member_id=member_id, changes={"birthday": date(1992, 3, 4)})
    with pytest.raises(BirthdayLocked):
        update(alliance_id="al_1", member_id=member_id, changes={"birthday": date(1992, 12, 24)})
    with pytest.raises(BirthdayLocked):
        update(alliance_id="al_1", member_id=member_id, changes={"birthday": None})
    same = update(alliance_id="al_1", member_id=member_id, changes={"birthday": date(1992, 3, 4)})
    renamed = update(alliance_id="al_1", member_id=member_id, changes={"display_name": "娜娜"})
    assert (same.profile.birthday, renamed.profile.display_name) == (date(1992, 3, 4), "娜娜")
    assert renamed.profile.birthday == date(1992, 3, 4)


@pytest.mark.parametrize(
    "changes",
    [{"birthday": date(2030, 1, 1)}, {"display_name": "x" * 40}, {"display_name": "  "}, {"phone": "1"}],
)
def test_a_bad_profile_is_refused_with_the_field_named(world, changes):
    member = world.register("13812345678").member
    with pytest.raises(InvalidProfile):
        world.members.profiles.update(alliance_id="al_1", member_id=member.member_id, changes=changes)


def test_each_consent_is_recorded_separately_with_version_and_time(world):
    member = world.register("13812345678").member
    profiles, mid = world.members.profiles, member.member_id
    world.clock.advance(timedelta(minutes=1))
    marketing = profiles.set_consent(
        alliance_id="al_1", member_id=mid, kind=ConsentKind.MARKETING, granted=True, version="m-1"
    )
    assert marketing.changed
    repeated = profiles.set_consent(
        alliance_id="al_1", member_id=mid, kind=ConsentKind.MARKETING, granted=True, version="m-1"
    )
    assert not repeated.changed, "the same decision twice is recorded once"
    world.clock.advance(timedelta(minutes=1))
    profiles.set_consent(
        alliance_id="al_1", member_id=mid, kind=ConsentKind.SHARING, granted=True, version="s-1"
    )
    world.clock.advance(timedelta(minutes=1))
    profiles.set_consent(
        alliance_id="al_1", member_id=mid, kind=ConsentKind.MARKETING, granted=False, version="m-1"
    )

    history = profiles.consents(alliance_id="al_1", member_id=mid)
    assert [(c.kind.value, c.granted, c.version) for c in history] == [
        ("terms", True, "2026-11"),
        ("marketing", True, "m-1"),
        ("sharing", True, "s-1"),
        ("marketing", False, "m-1"),
    ]
    assert len({c.recorded_at for c in history}) == 4


def test_the_terms_cannot_be_withdrawn_short_of_erasure(world):
    member = world.register("13812345678").member
    with pytest.raises(TermsConsentRequired):
        world.members.profiles.set_consent(
            alliance_id="al_1", member_id=member.member_id, kind=ConsentKind.TERMS, granted=False, version="x"
        )
