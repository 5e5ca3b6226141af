"""The demo's story is reproducible and looks like a real district's."""

from __future__ import annotations

from collections import Counter
from datetime import date

import phonenumbers

from guildcard.demo.merchants import MERCHANTS
from guildcard.demo.plan import Window, make_plan
from guildcard.kernel.clock import BUSINESS_TZ

WINDOW = Window.of(date(2026, 11, 22), 3)


def test_the_window_covers_whole_months_up_to_the_last_day() -> None:
    assert (WINDOW.first, WINDOW.last, WINDOW.settled_month) == (
        date(2026, 9, 1),
        date(2026, 11, 22),
        "2026-09",
    )
    assert Window.of(date(2027, 1, 5), 3).first == date(2026, 11, 1)


def test_the_same_seed_tells_the_same_story_and_another_seed_another() -> None:
    first, again, other = make_plan(7, WINDOW, 60), make_plan(7, WINDOW, 60), make_plan(8, WINDOW, 60)
    assert first == again
    assert first.purchases != other.purchases


def test_members_have_chinese_names_and_unique_valid_mobile_numbers() -> None:
    plan = make_plan(1, WINDOW, 300)
    phones = [m.person.phone for m in plan.members]
    assert len(set(phones)) == 300
    for phone in phones:
        parsed = phonenumbers.parse(phone, "CN")
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    assert all(2 <= len(m.person.name) <= 4 for m in plan.members)


def test_cinemas_are_busier_at_weekends_and_ktv_in_the_evening() -> None:
    plan = make_plan(2, WINDOW, 500, visits=3)
    trade = {i: m.trade for i, m in enumerate(MERCHANTS)}
    cinema = [p.at.astimezone(BUSINESS_TZ) for p in plan.purchases if trade[p.merchant] == "cinema"]
    per_day = Counter("weekend" if t.isoweekday() >= 6 else "weekday" for t in cinema)
    assert per_day["weekend"] / 2 > per_day["weekday"] / 5 * 1.4
    ktv = [p.at.astimezone(BUSINESS_TZ).hour for p in plan.purchases if trade[p.merchant] == "ktv"]
    assert sum(h >= 18 for h in ktv) > 0.8 * len(ktv)


def test_every_member_buys_only_after_joining_and_refunds_follow_purchases() -> None:
    plan = make_plan(3, WINDOW, 200)
    assert all(plan.members[p.member].joined_at < p.at for p in plan.purchases)
    assert all(plan.purchases[r.purchase].at < r.at for r in plan.refunds)
    assert plan.refunds
    assert plan.backfills
