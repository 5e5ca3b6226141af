"""The member H5's birthday gift (/m/birthday) on SQLite and PostgreSQL: what the alliance's birthday
campaign gives, when it comes (from the profile's birthday, a link to set it when missing), and
whether this year's gift was given."""

from __future__ import annotations

from datetime import date, timedelta

from tests.integration.web.test_member_pages import csrf, join, site  # noqa: F401 - the fixture

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import business_date
from guildcard.rewards.domain.campaigns import BirthdayRule, CampaignKind


def admin(client) -> Actor:
    return Actor(ActorKind.OPERATOR, "op_admin", client.alliance_id, role="admin")


def set_birthday(client, birthday: date) -> None:
    form = {"display_name": "林小满", "birthday": birthday.isoformat(), "csrf_token": csrf(client)}
    saved = client.post("/m/settings/profile", data=form, follow_redirects=False)
    assert saved.status_code == 303


def balance(client) -> int:
    member_id = client.get("/api/v1/me").json()["member_id"]
    return client.container.ledger().queries(client.alliance_id).balance(member_id).available


def test_the_birthday_gift_on_the_day_once_a_year(site):  # noqa: F811
    join(site)
    empty = site.get("/m/birthday").text
    assert "目前没有进行中的生日礼活动" in empty
    assert 'href="/m/settings#profile"' in empty  # no birthday yet: where to set it
    site.container.reward_campaigns.create(
        admin(site), idempotency_key="bday", name="联盟生日礼", kind=CampaignKind.BIRTHDAY, points=88,
        birthday_rule=BirthdayRule.DAY,
    )  # fmt: skip
    unknown = site.get("/m/birthday").text
    assert "联盟生日礼" in unknown
    assert "88 积分" in unknown
    assert "积分兑换" not in unknown  # a gift, not a price
    assert "每年生日当天" in unknown
    assert "您还没有填写生日" in unknown
    assert 'action="/m/birthday/claim"' not in unknown

    today = business_date(site.container.clock.now())
    set_birthday(site, today.replace(year=1990))
    due = site.get("/m/birthday").text
    assert f"您的生日：{today.month} 月 {today.day} 日" in due
    assert f"每年生日当天（{today.month} 月 {today.day} 日）" in due
    assert 'action="/m/birthday/claim"' in due
    claimed = site.post("/m/birthday/claim", data={"csrf_token": csrf(site)}, follow_redirects=False)
    assert (claimed.status_code, claimed.headers["location"]) == (303, "/m/birthday?claimed=1")
    given = site.get("/m/birthday?claimed=1").text
    assert "生日快乐" in given
    assert f"今年的生日礼已于 {today.isoformat()} 送出" in given
    assert 'action="/m/birthday/claim"' not in given
    site.post("/m/birthday/claim", data={"csrf_token": csrf(site)})  # a second tap gives nothing more
    assert balance(site) == 88
    english = site.get("/m/birthday?lang=en").text
    assert "This year&#39;s gift was given on" in english or "This year's gift was given on" in english


def test_before_the_birthday_the_page_says_when_it_comes(site):  # noqa: F811
    join(site)
    site.container.reward_campaigns.create(
        admin(site), idempotency_key="bday-m", name="生日月礼", kind=CampaignKind.BIRTHDAY, points=50,
    )  # fmt: skip
    later = business_date(site.container.clock.now()).replace(day=1) + timedelta(days=40)  # next month on
    set_birthday(site, later.replace(year=1992, day=1))
    page = site.get("/m/birthday").text
    assert f"每年生日月（{later.month} 月）" in page
    assert "今年尚未送出：生日月即可领取" in page
    assert 'action="/m/birthday/claim"' not in page
    site.post("/m/birthday/claim", data={"csrf_token": csrf(site)})  # not the month: nothing given
    assert balance(site) == 0
    assert 'href="/m/birthday"' in site.get("/m/coupons").text
