"""Stories: likely duplicates are flagged for an operator, who reviews them; nothing is merged."""

from __future__ import annotations

from datetime import date

import pytest

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.members.domain.duplicates import Verdict
from guildcard.members.errors import DuplicateAlreadyReviewed, DuplicateFlagNotFound, OperatorsOnly

REVIEWER = Actor(ActorKind.OPERATOR, "opr_1", "al_1", role="reviewer")


def test_same_birthday_and_similar_name_are_flagged_at_registration(world):
    first = world.register("13812345678", name="张伟", birthday="1990-05-01").member
    second = world.register("13912345678", name="张伟", birthday="1990-05-01").member
    world.register("13712345678", name="张伟", birthday="1991-05-01")  # another birthday
    world.register("13612345678", name="李静", birthday="1990-05-01")  # another name

    pairs = world.members.duplicates.list(actor=REVIEWER, alliance_id="al_1")

    assert len(pairs) == 1
    pair = pairs[0]
    assert {pair.first.member_id, pair.second.member_id} == {first.member_id, second.member_id}
    assert pair.flag.score == 100
    assert pair.flag.status is Verdict.OPEN
    assert {pair.first.phone_masked, pair.second.phone_masked} == {"138****5678", "139****5678"}


def test_names_that_sound_alike_are_flagged_when_set_on_the_profile(world):
    world.register("13812345678", name="张伟", birthday="1990-05-01")
    later = world.register("13912345678").member
    assert world.members.duplicates.list(actor=REVIEWER, alliance_id="al_1") == []
    world.members.profiles.update(
        alliance_id="al_1",
        member_id=later.member_id,
        changes={"display_name": "张玮", "birthday": date(1990, 5, 1)},
    )
    [pair] = world.members.duplicates.list(actor=REVIEWER, alliance_id="al_1")
    assert "sound alike" in pair.flag.reason


def test_an_operator_reviews_a_pair_and_nothing_is_merged(world):
    world.register("13812345678", name="Wang Fang", birthday="1985-01-02")
    world.register("13912345678", name="wang fang", birthday="1985-01-02")
    [pair] = world.members.duplicates.list(actor=REVIEWER, alliance_id="al_1")
    service = world.members.duplicates

    reviewed = service.review(
        actor=REVIEWER, alliance_id="al_1", flag_id=pair.flag.flag_id, verdict=Verdict.SAME
    )
    assert reviewed.status is Verdict.SAME
    assert reviewed.reviewed_by == "opr_1"
    again = service.review(
        actor=REVIEWER, alliance_id="al_1", flag_id=pair.flag.flag_id, verdict=Verdict.SAME
    )
    assert again == reviewed
    with pytest.raises(DuplicateAlreadyReviewed):
        service.review(
            actor=REVIEWER, alliance_id="al_1", flag_id=pair.flag.flag_id, verdict=Verdict.DIFFERENT
        )
    with pytest.raises(DuplicateFlagNotFound):
        service.review(actor=REVIEWER, alliance_id="al_1", flag_id="dup_nope", verdict=Verdict.SAME)
    assert service.list(actor=REVIEWER, alliance_id="al_1") == []
    both = [p.first.status for p in service.list(actor=REVIEWER, alliance_id="al_1", status=None)]
    assert both == ["active"], "both members still exist, unmerged"


@pytest.mark.parametrize(
    "actor",
    [
        Actor(ActorKind.OPERATOR, "opr_2", "al_2", role="admin"),
        Actor(ActorKind.MEMBER, "mem_1", "al_1"),
        Actor(ActorKind.STAFF, "stf_1", "al_1", role="owner", merchant_id="mer_1"),
    ],
)
def test_only_the_alliances_operators_see_the_pairs(world, actor):
    with pytest.raises(OperatorsOnly):
        world.members.duplicates.list(actor=actor, alliance_id="al_1")


def test_a_viewer_may_look_but_not_review(world):
    world.register("13812345678", name="张伟", birthday="1990-05-01")
    world.register("13912345678", name="张伟", birthday="1990-05-01")
    viewer = Actor(ActorKind.OPERATOR, "opr_3", "al_1", role="viewer")
    [pair] = world.members.duplicates.list(actor=viewer, alliance_id="al_1")
    with pytest.raises(OperatorsOnly):
        world.members.duplicates.review(
            actor=viewer, alliance_id="al_1", flag_id=pair.flag.flag_id, verdict=Verdict.SAME
        )


@pytest.mark.parametrize(
    ("role", "reveals"), [("admin", True), ("reviewer", True), ("finance", False), ("viewer", False)]
)
def test_full_names_and_birthdays_only_for_roles_that_review(world, role, reveals):
    world.register("13812345678", name="张伟", birthday="1990-05-01")
    world.register("13912345678", name="张伟", birthday="1990-05-01")
    operator = Actor(ActorKind.OPERATOR, "opr_9", "al_1", role=role)
    [pair] = world.members.duplicates.list(actor=operator, alliance_id="al_1")
    shown = {(m.display_name, m.birthday) for m in (pair.first, pair.second)}
    assert shown == ({("张伟", date(1990, 5, 1))} if reveals else {("张*", None)})
    assert {pair.first.phone_masked, pair.second.phone_masked} == {"138****5678", "139****5678"}
