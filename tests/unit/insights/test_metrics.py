"""Each metric's definition, pinned on small hand-made histories."""

from __future__ import annotations

from datetime import date

import pytest

from guildcard.insights.domain import metrics as m
from guildcard.insights.domain.errors import BadPeriod
from guildcard.insights.domain.facts import DailyTotal, Sale, roll_up
from guildcard.insights.domain.windows import Grain, parse_period, trailing, window_of

NOV = parse_period("2026-11")
OCT = parse_period("2026-10")


def sale(
    day: str, member: str | None, amount: int, *, merchant: str = "hotpot", items: int | None = None
) -> Sale:
    return Sale(date.fromisoformat(day), merchant, f"{merchant}-1", amount, member, items)


def test_periods_parse_and_step_back():
    assert (NOV.start, NOV.end) == (date(2026, 11, 1), date(2026, 12, 1))
    assert NOV.previous() == OCT
    assert OCT.next() == NOV
    week = parse_period("2026-W48")
    assert (week.start, week.end, week.key) == (date(2026, 11, 23), date(2026, 11, 30), "2026-W48")
    assert parse_period("2026-11-23").grain is Grain.DAY
    assert [w.key for w in trailing(NOV, 3)] == ["2026-09", "2026-10", "2026-11"]
    assert window_of(date(2026, 12, 31), Grain.MONTH).end == date(2027, 1, 1)
    with pytest.raises(BadPeriod):
        parse_period("2026-13")


def test_activation_counts_new_members_whose_first_purchase_came_within_n_days():
    registered = {
        "a": date(2026, 11, 2),
        "b": date(2026, 11, 5),
        "c": date(2026, 11, 20),
        "old": date(2026, 10, 1),
    }
    first = {"a": date(2026, 11, 2), "b": date(2026, 12, 20), "old": date(2026, 10, 2)}
    # a bought the day it joined; b only 45 days later; c never: 1 of 3
    assert m.activation_rate(registered, first, NOV, within_days=30) == pytest.approx(1 / 3)
    assert m.activation_rate(registered, first, NOV, within_days=60) == pytest.approx(2 / 3)
    assert m.activation_rate(registered, first, parse_period("2026-09")) is None


def test_churn_is_last_windows_active_members_who_did_not_come_back():
    rows, _ = roll_up([
        sale("2026-10-03", "a", 100), sale("2026-10-09", "b", 100), sale("2026-10-20", "c", 100),
        sale("2026-11-02", "a", 100), sale("2026-11-15", "d", 100),
    ])  # fmt: skip
    # a, b, c active in October; only a came back in November: 2 of 3 churned
    assert m.churn_rate(rows, NOV) == pytest.approx(2 / 3)
    assert m.active_members(rows, NOV) == {"a", "d"}
    # weekly windows are configurable: in week 45 (Nov 2-8) a is back, nobody was active in week 44
    assert m.churn_rate(rows, parse_period("2026-W45")) is None


def test_repurchase_needs_two_purchase_days_in_the_alliance_or_at_one_merchant():
    rows, _ = roll_up([
        sale("2026-11-02", "a", 100), sale("2026-11-02", "a", 300),  # a: twice on one day
        sale("2026-11-03", "b", 100), sale("2026-11-09", "b", 100, merchant="cinema"),  # b: two places
        sale("2026-11-04", "c", 100), sale("2026-11-24", "c", 100),  # c: two days at the hot pot
    ])  # fmt: skip
    assert m.repurchase_rate(rows, NOV) == pytest.approx(2 / 3)  # b and c
    # pairs: (a, hotpot) once, (b, hotpot) once, (b, cinema) once, (c, hotpot) twice
    assert m.repurchase_rate(rows, NOV, per_merchant=True) == pytest.approx(1 / 4)


def test_sales_share_and_conversion_count_only_stores_that_report_non_member_sales():
    _, stores = roll_up([
        sale("2026-11-02", "a", 6_000, items=3),
        sale("2026-11-02", None, 2_000, items=1),  # the hot pot reports a walk-in
        sale("2026-11-02", "b", 10_000, merchant="cinema"),  # the cinema reports members only
    ])  # fmt: skip
    totals = m.sales_totals(stores, NOV)
    assert m.member_sales_share(totals) == pytest.approx(6_000 / 8_000)
    assert m.conversion_rate(totals) == pytest.approx(1 / 2)
    assert m.average_order_value_fen(totals) == 6_000  # (6,000 + 2,000 + 10,000) / 3
    assert m.items_per_order(totals) == 2.0  # 4 items over the 2 orders that carry a count
    assert totals.reporting_stores == {"hotpot-1"}


def test_a_daily_total_stands_for_the_whole_day_members_included():
    day = date(2026, 11, 2)
    _, stores = roll_up(
        [sale("2026-11-02", "a", 6_000), sale("2026-11-02", "b", 4_000)],
        [DailyTotal(day, "hotpot", "hotpot-1", orders=10, sales_fen=40_000, items=25)],
    )
    (store,) = stores
    assert (store.other_orders, store.other_sales_fen, store.reports_all_sales) == (8, 30_000, True)
    totals = m.sales_totals(stores, NOV)
    assert m.member_sales_share(totals) == pytest.approx(0.25)
    assert m.conversion_rate(totals) == pytest.approx(0.2)
    assert m.items_per_order(totals) == 2.5
    assert m.average_order_value_fen(totals) == 4_000


def test_nothing_to_divide_by_is_none_not_zero():
    totals = m.sales_totals([], NOV)
    assert (m.member_sales_share(totals), m.conversion_rate(totals)) == (None, None)
    assert (m.average_order_value_fen(totals), m.items_per_order(totals)) == (None, None)
    assert m.repurchase_rate([], NOV) is None


def test_the_metric_set_of_a_month():
    rows, stores = roll_up([
        sale("2026-10-10", "a", 100), sale("2026-11-02", "a", 500), sale("2026-11-09", "a", 700),
        sale("2026-11-03", "b", 300), sale("2026-11-03", None, 900),
    ])  # fmt: skip
    got = m.metric_set(
        NOV, rows, stores, registered={"a": date(2026, 10, 1), "b": date(2026, 11, 3)},
        first_purchase={"a": date(2026, 10, 10), "b": date(2026, 11, 3)},
    )  # fmt: skip
    assert (got.new_members, got.activation_rate, got.active_members) == (1, 1.0, 2)
    assert (got.churn_rate, got.repurchase_rate) == (0.0, 0.5)
    # only Nov 3 reported its walk-ins: 300 of 1,200 (the days without a report are left out)
    assert got.member_sales_share == pytest.approx(0.25)
    assert got.average_order_value_fen == 600
    assert got.items_per_order is None
