"""Axis ticks of the server-drawn charts: from zero to a round top that covers every value."""

from __future__ import annotations

from guildcard.web.chart_axes import nice_ticks, unit_of


def test_ticks_are_round_steps_from_zero_to_a_top_covering_the_values():
    assert nice_ticks([123_456, 5_000, None]) == [0, 50_000, 100_000, 150_000]
    assert nice_ticks([0.37, 0.1]) == [0, 0.1, 0.2, 0.3, 0.4]
    assert nice_ticks([3, 7]) == [0, 2, 4, 6, 8]
    assert nice_ticks([1, 2]) == [0, 1, 2]  # counts step by whole numbers
    assert nice_ticks([None]) == [0, 1]  # nothing to draw: still a scale


def test_each_metric_s_axis_names_its_unit():
    assert (unit_of("sales_fen"), unit_of("activation_rate"), unit_of("members")) == ("¥", "%", "")
