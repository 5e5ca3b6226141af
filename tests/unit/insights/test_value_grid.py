"""The value grid: terciles of value and activity, stars 1-9, reasons in words."""

from __future__ import annotations

from guildcard.insights.domain.value import grid_counts, terciles, value_grid


def test_stars_grow_with_value_and_activity():
    value = {"a": 900.0, "b": 500.0, "c": 100.0}
    activity = {"a": 0.9, "b": 0.1, "c": 0.5}
    cells = value_grid(value, activity, value_basis="expected value")
    assert (cells["a"].value_level, cells["a"].activity_level, cells["a"].stars) == (3, 3, 9)
    assert (cells["b"].stars, cells["c"].stars) == (4, 2)
    assert cells["a"].reason_zh == "预期价值高（900），活跃度高（0.90）"
    counts = grid_counts(cells)
    assert (counts["3-3"], counts["2-1"], counts["1-2"], sum(counts.values())) == (1, 1, 1, 3)


def test_ties_share_a_level():
    assert terciles({"a": 1.0, "b": 1.0, "c": 5.0}) == {"a": 1, "b": 1, "c": 3}
