"""Lifetime value of an alliance's (or one merchant's) members, fitted on the rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from guildcard.insights import clv
from guildcard.insights.domain.clv_data import Summary, TimeUnit, summaries
from guildcard.insights.queries.members import default_as_of
from guildcard.insights.storage.rollups import RollupRepository

HISTORY_DAYS = 730


def member_summaries(
    conn: Connection, alliance_id: str, *, as_of: date, unit: TimeUnit, merchant_id: str | None = None
) -> list[Summary]:
    rows = RollupRepository(conn, alliance_id).member_days(
        as_of - timedelta(days=HISTORY_DAYS),
        as_of,
        merchant_ids=None if merchant_id is None else [merchant_id],
    )
    return summaries(((r.member_id, r.day, r.sales_fen) for r in rows), as_of=as_of, unit=unit)


@dataclass(frozen=True)
class Holdout:
    calibration_end: date
    days: int
    predicted: float  # repeat purchases the calibration fit expects in the holdout
    actual: int


def lifetime_value(
    conn: Connection, alliance_id: str, *, as_of: date | None = None, unit: TimeUnit = TimeUnit.DAY,
    merchant_id: str | None = None, per_member: bool = True,
) -> tuple[date, clv.ClvFit]:  # fmt: skip
    as_of = as_of or default_as_of(conn, alliance_id)
    found = member_summaries(conn, alliance_id, as_of=as_of, unit=unit, merchant_id=merchant_id)
    return as_of, clv.fit(found, unit=unit, per_member=per_member)


def holdout_check(
    conn: Connection, alliance_id: str, *, as_of: date, days: int, unit: TimeUnit = TimeUnit.DAY
) -> Holdout:
    """Fit on the history before ``as_of - days``; compare the repeat purchases it expects in the
    holdout with the purchase days that happened there (customers of the calibration period)."""
    cut = as_of - timedelta(days=days)
    calibration = member_summaries(conn, alliance_id, as_of=cut, unit=unit)
    fitted = clv.fit(calibration, unit=unit, per_member=False, gamma_gamma=False)
    predicted = clv.expected_repeat_purchases(fitted, calibration, horizon=days / unit.days)
    known = {s.customer_id for s in calibration}
    rows = RollupRepository(conn, alliance_id).member_days(cut, as_of)
    actual = len({(r.member_id, r.day) for r in rows if r.member_id in known and r.orders > 0})
    return Holdout(cut, days, round(predicted, 1), actual)


def as_json(as_of: date, fit: clv.ClvFit) -> dict[str, Any]:
    """The shape of ``guildcard insights clv --json`` (issue 16's keys)."""
    return {
        "model": "bg_nbd",
        "time_unit": fit.time_unit.value,
        "as_of": as_of.isoformat(),
        "customers": fit.customers,
        "params": {k: round(fit.params[k], 6) for k in ("r", "alpha", "a", "b")},
        "gamma_gamma": {k: round(v, 6) for k, v in fit.gamma_gamma.items()},
        "log_likelihood": round(fit.log_likelihood, 4),
    }
