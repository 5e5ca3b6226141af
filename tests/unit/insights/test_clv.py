"""Lifetime value: the BG/NBD summaries' definitions, and maximum likelihood recovering known parameters.

The fit needs the optional ``clv`` extra (pymc-marketing); without it those tests skip.
"""

from __future__ import annotations

from datetime import date

import pytest

from guildcard.insights import clv
from guildcard.insights.domain.clv_data import TimeUnit, summaries
from guildcard.insights.domain.errors import ClvUnavailable, TooFewCustomers
from guildcard.insights.domain.simulate import TrueParams, simulate

D = date.fromisoformat
needs_clv = pytest.mark.skipif(
    not clv.available(), reason="the optional clv extra (pymc-marketing) is absent"
)


def test_summaries_follow_the_standard_bgnbd_definitions():
    rows = [
        ("a", D("2026-01-01"), 1_000), ("a", D("2026-01-01"), 500),  # two orders, one purchase day
        ("a", D("2026-01-08"), 2_000), ("a", D("2026-01-22"), 4_000),
        ("b", D("2026-01-15"), 3_000),
        ("c", D("2026-03-01"), 9_000),  # after as_of: not seen
    ]  # fmt: skip
    a, b = summaries(rows, as_of=D("2026-01-29"))
    assert (a.frequency, a.recency, a.T, a.monetary_value) == (2, 21.0, 28.0, 3_000.0)
    assert (b.frequency, b.recency, b.T, b.monetary_value) == (0, 0.0, 14.0, 0.0)
    (weekly,) = summaries(rows[:4], as_of=D("2026-01-29"), unit=TimeUnit.WEEK)
    assert (weekly.recency, weekly.T) == (3.0, 4.0)


def test_without_the_extra_the_fit_says_what_to_install(monkeypatch):
    monkeypatch.setattr(clv, "available", lambda: False)
    with pytest.raises(ClvUnavailable):
        clv.fit(simulate(10, TrueParams()), unit=TimeUnit.WEEK)


@needs_clv
def test_too_few_repeat_customers_is_refused():
    with pytest.raises(TooFewCustomers):
        clv.fit(summaries([("a", D("2026-01-01"), 100)], as_of=D("2026-02-01")), unit=TimeUnit.DAY)


KNOWN = TrueParams(r=0.8, alpha=4.0, a=0.6, b=2.4, p=6.0, q=4.0, v=15.0)


@needs_clv
@pytest.mark.slow
def test_maximum_likelihood_recovers_known_parameters_on_20000_customers():
    data = simulate(20_000, KNOWN, t_range=(52.0, 78.0), seed=7)
    fitted = clv.fit(data, unit=TimeUnit.WEEK)
    for name in ("r", "alpha", "a", "b"):
        assert fitted.params[name] == pytest.approx(getattr(KNOWN, name), rel=0.05), name
    for name in ("p", "q", "v"):
        assert fitted.gamma_gamma[name] == pytest.approx(getattr(KNOWN, name), rel=0.05), name
    assert fitted.customers == 20_000
    assert fitted.log_likelihood < 0
    # per member: a customer who bought often and lately is more likely alive and buys more
    by_id = {s.customer_id: s for s in data}
    busy = max(data, key=lambda s: (s.frequency, s.recency - s.T))
    gone = max((s for s in data if s.frequency >= 3), key=lambda s: s.T - s.recency)
    b, g = fitted.members[busy.customer_id], fitted.members[gone.customer_id]
    assert b.p_alive > g.p_alive
    assert b.expected_purchases_90d > g.expected_purchases_90d
    assert all(0.0 <= m.p_alive <= 1.0 for m in fitted.members.values())
    assert b.expected_value_fen == pytest.approx(b.expected_purchases_90d * b.expected_spend_fen)
    assert by_id[busy.customer_id].frequency > 0
