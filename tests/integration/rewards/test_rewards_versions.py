"""The listener's copy of what is running follows the alliance's ``rewards`` version: no waiting."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from tests.integration.rewards.conftest import ADMIN, ALLIANCE, HOTPOT, NOW, World, member

from guildcard.pipeline import versions
from guildcard.pipeline.work import Event
from guildcard.rewards.campaign_events import RewardsListener
from guildcard.rewards.domain.campaigns import CampaignKind
from guildcard.rewards.domain.referrals import ReferralSettings

_purchases = count(1)


def hear_purchase(listener: RewardsListener, world: World, member_id: str, fen: int) -> None:
    payload = {
        "member_id": member_id, "merchant_id": HOTPOT, "store_id": "st_hotpot_1", "payable_fen": fen,
        "occurred_at": world.clock.now().isoformat(),
    }  # fmt: skip
    listener(ALLIANCE, [Event("counter.purchase_recorded", f"pur_v{next(_purchases)}", payload)])


def points(world: World, member_id: str) -> int:
    return world.ledger.queries(ALLIANCE).balance(member_id).available


def rewards_version(world: World) -> int:
    with world.database.read() as conn:
        return versions.current(conn, ALLIANCE).get(versions.Topic.REWARDS, 0)


def test_a_campaign_started_in_one_process_counts_the_next_purchase_heard_in_another(world: World):
    here, there = (RewardsListener(world.database, world.campaigns.bus) for _ in range(2))
    hear_purchase(there, world, "mem_lily", 30_000)
    hear_purchase(there, world, "mem_lily", 30_000)
    assert there.watching.loads == 1  # nothing running: read once, then the copy serves
    assert points(world, "mem_lily") == 0

    before = rewards_version(world)
    campaign = world.campaigns.create(
        ADMIN, idempotency_key="v-start", name="满100送", kind=CampaignKind.SPEND_THRESHOLD, points=100,
        threshold_fen=10_000, ends_at=NOW + timedelta(days=7),
    )  # fmt: skip
    assert rewards_version(world) == before + 1
    hear_purchase(there, world, "mem_lily", 12_000)  # at once, no sleep
    assert points(world, "mem_lily") == 100
    assert there.watching.loads == 2

    world.campaigns.end(ADMIN, campaign_id=campaign.campaign_id, idempotency_key="v-end")
    assert rewards_version(world) == before + 2
    with world.database.read() as conn:
        assert there.watching.get(conn, ALLIANCE).purchases is False
        assert here.watching.get(conn, ALLIANCE).purchases is False  # its first read is the new state


def test_referral_settings_and_bindings_bump_the_version(world: World):
    before = rewards_version(world)
    world.campaigns.set_referral_settings(
        ADMIN, ReferralSettings(enabled=True, inviter_points=200), idempotency_key="v-ref"
    )
    assert rewards_version(world) == before + 1
    listener = RewardsListener(world.database, world.campaigns.bus)
    with world.database.read() as conn:
        assert listener.watching.get(conn, ALLIANCE).purchases is False  # enabled, but nobody invited yet
    code = world.campaigns.invitation(member("mem_lily"))
    world.ports.registered["mem_tom"] = NOW - timedelta(minutes=5)
    world.campaigns.bind(member("mem_tom"), invitee_id="mem_tom", code=code)
    assert rewards_version(world) == before + 2
    with world.database.read() as conn:
        assert listener.watching.get(conn, ALLIANCE).purchases is True  # Tom's first purchase counts
