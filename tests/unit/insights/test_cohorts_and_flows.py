"""Cohorts by registration month and by first merchant; who brings whom, per merchant and per trade."""

from __future__ import annotations

from datetime import date

from guildcard.insights.domain import cohorts as c
from guildcard.insights.domain.facts import Sale, roll_up
from guildcard.insights.domain.flows import Flow, flows, new_from_alliance, trade_flows

D = date.fromisoformat


def test_registration_cohorts_count_who_is_active_each_month_after():
    registered = {"a": D("2026-09-03"), "b": D("2026-09-20"), "c": D("2026-10-01")}
    active = c.active_months([
        ("a", D("2026-09-05")), ("a", D("2026-11-02")), ("b", D("2026-10-09")), ("c", D("2026-10-02")),
    ])  # fmt: skip
    sep, oct_ = c.by_registration_month(registered, active, last_month=c.month_index(D("2026-11-30")))
    assert (sep.key, sep.size, sep.active) == ("2026-09", 2, (1, 1, 1))  # a in Sep and Nov, b in Oct
    assert sep.retention == (0.5, 0.5, 0.5)
    assert (oct_.key, oct_.size, oct_.retention) == ("2026-10", 1, (1.0, 0.0))


def test_first_merchant_cohorts_count_offsets_from_each_members_own_first_month():
    first = {"a": (D("2026-09-05"), "hotpot"), "b": (D("2026-10-09"), "hotpot")}
    active = c.active_months([("a", D("2026-09-05")), ("a", D("2026-10-01")), ("b", D("2026-10-09"))])
    (hotpot,) = c.by_first_merchant(first, active, last_month=c.month_index(D("2026-10-31")))
    # offset 0: both active in their first month; offset 1: only a could be, and was
    assert hotpot.retention == (1.0, 1.0)
    assert (hotpot.size, hotpot.start_month) == (2, "2026-09")


def test_who_brings_whom_counts_members_acquired_at_a_who_later_bought_at_b():
    rows, _ = roll_up([
        Sale(D("2026-10-02"), "hotpot", "h1", 10_000, "a", points=100),
        Sale(D("2026-10-05"), "cinema", "c1", 6_000, "a", points=60),
        Sale(D("2026-10-09"), "cinema", "c1", 4_000, "a", points=40),
        Sale(D("2026-10-03"), "hotpot", "h1", 5_000, "b", points=50),
        Sale(D("2026-10-04"), "spa", "s1", 9_000, "b", points=90),
        Sale(D("2026-10-04"), "cinema", "c1", 3_000, "c", points=30),  # acquired at the cinema
    ])  # fmt: skip
    acquired = {
        "a": (D("2026-10-02"), "hotpot"),
        "b": (D("2026-10-03"), "hotpot"),
        "c": (D("2026-10-04"), "cinema"),
    }
    found = flows(rows, acquired)
    assert Flow("hotpot", "cinema", 1, 2, 10_000, 100) in found
    assert Flow("hotpot", "spa", 1, 1, 9_000, 90) in found
    assert len(found) == 2  # the cinema brought nobody anywhere; purchases where one was acquired don't count
    assert new_from_alliance(found) == {"cinema": 1, "spa": 1}
    trades = trade_flows(rows, acquired, {"hotpot": "dining", "cinema": "leisure", "spa": "leisure"})
    assert trades == [Flow("dining", "leisure", 2, 3, 19_000, 190)]


def test_a_purchase_before_the_acquisition_day_is_not_a_flow():
    rows, _ = roll_up([Sale(D("2026-10-01"), "cinema", "c1", 3_000, "a")])
    assert flows(rows, {"a": (D("2026-10-02"), "hotpot")}) == []
    assert new_from_alliance([]) == {}
