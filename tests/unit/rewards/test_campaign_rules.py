"""Reward campaign rules: birthdays in Shanghai, stamps, caps, periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from guildcard.rewards.domain.campaigns import (
    BirthdayRule,
    CampaignKind,
    RewardCampaign,
    RewardCampaignInvalid,
    check_campaign,
    is_birthday,
    period_of,
    points_to_give,
    stamp_for,
)

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def test_a_birthday_is_decided_in_shanghai():
    late_on_the_first = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 1 December 00:30 in Shanghai
    assert is_birthday(BirthdayRule.DAY, date(1990, 12, 1), late_on_the_first)
    assert is_birthday(BirthdayRule.MONTH, date(1990, 12, 25), late_on_the_first)
    assert not is_birthday(BirthdayRule.MONTH, date(1990, 11, 30), late_on_the_first)
    assert not is_birthday(BirthdayRule.DAY, None, NOW)
    assert is_birthday(BirthdayRule.DAY, date(2000, 2, 29), datetime(2027, 2, 28, 4, tzinfo=UTC))


def test_the_stamp_is_the_trade_or_the_named_merchant():
    trail = RewardCampaign(
        campaign_id="c", name="打卡", kind=CampaignKind.STAMP_TRAIL, points=1, stamps_needed=2
    )
    assert stamp_for(trail, merchant_id="mer_a", trade="ktv") == "ktv"
    named = RewardCampaign(
        campaign_id="c", name="打卡", kind=CampaignKind.STAMP_TRAIL, points=1, stamps_needed=2,
        merchant_ids=frozenset({"mer_a", "mer_b"}),
    )  # fmt: skip
    assert stamp_for(named, merchant_id="mer_c", trade="ktv") is None


def test_periods_caps_and_checks():
    birthday = RewardCampaign(campaign_id="c", name="生日礼", kind=CampaignKind.BIRTHDAY, points=88)
    assert period_of(birthday, NOW) == "2026"
    capped = RewardCampaign(campaign_id="c", name="满额送", kind=CampaignKind.SPEND_THRESHOLD, points=100,
                            member_cap_points=150, threshold_fen=1, ends_at=NOW)  # fmt: skip
    assert [points_to_give(capped, given) for given in (0, 100, 150)] == [100, 50, 0]
    with pytest.raises(RewardCampaignInvalid):
        check_campaign(
            RewardCampaign(
                campaign_id="c", name="x", kind=CampaignKind.STAMP_TRAIL, points=1, stamps_needed=1
            )
        )
    with pytest.raises(RewardCampaignInvalid):
        check_campaign(RewardCampaign(campaign_id="c", name="x", kind=CampaignKind.REGISTRATION))  # no reward
    check_campaign(RewardCampaign(campaign_id="c", name="x", kind=CampaignKind.STAMP_TRAIL, points=1,
                                  stamps_needed=3, ends_at=NOW + timedelta(days=1)))  # fmt: skip
