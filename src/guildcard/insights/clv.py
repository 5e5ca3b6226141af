"""Lifetime value: BG/NBD (purchase frequency, P(alive)) and Gamma-Gamma (spend) by maximum likelihood.

The models are pymc-marketing's (``BetaGeoModel``, ``GammaGammaModel``), fitted with
``method="map"`` and **flat priors** (``HalfFlat`` on r, alpha, a, b and on p, q, v): PyMC's
MAP optimizes the log-posterior without the transforms' Jacobian, so with flat priors it is
the maximum-likelihood estimate and the parameters compare with the published literature
(Fader, Hardie & Lee 2005). Nothing is downloaded; PyTensor compiles the model once with the
machine's C compiler (or runs in Python without one).

pymc-marketing is the optional extra ``clv`` (``pip install guildcard[clv]``): without it,
``fit`` raises ``ClvUnavailable`` and the value grid falls back to spend so far.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from guildcard.insights.domain.clv_data import Summary, TimeUnit
from guildcard.insights.domain.errors import ClvUnavailable, TooFewCustomers

MIN_REPEAT_CUSTOMERS = 20
HORIZON_DAYS = 90


def available() -> bool:
    try:
        import pymc_marketing.clv  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class MemberValue:
    customer_id: str
    expected_purchases_90d: float
    p_alive: float
    expected_spend_fen: float  # per purchase (Gamma-Gamma, conditional on the member's history)
    expected_value_fen: float  # expected purchases in 90 days x expected spend


@dataclass(frozen=True)
class ClvFit:
    time_unit: TimeUnit
    customers: int
    params: dict[str, float]  # r, alpha, a, b
    gamma_gamma: dict[str, float]  # p, q, v
    log_likelihood: float
    members: dict[str, MemberValue] = field(default_factory=dict)
    model: Any = field(default=None, repr=False, compare=False)  # the fitted BetaGeoModel


def _flat(*names: str) -> dict[str, Any]:
    from pymc_extras.prior import Prior  # noqa: PLC0415

    return {name: Prior("HalfFlat") for name in names}


def _quiet() -> None:
    warnings.filterwarnings("ignore", module="pymc.*")
    warnings.filterwarnings("ignore", module="pymc_marketing.*")
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    for name in ("pymc", "pytensor", "pymc_marketing"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _point(model: Any, idata: Any) -> dict[str, float]:
    return {
        name: float(idata.posterior[name].values.ravel()[0])
        for name in model.model.named_vars
        if name in idata.posterior
    }


def _log_likelihood(model: Any, idata: Any) -> float:
    """The log density at the estimate without the Jacobian (flat priors add 0): the log-likelihood."""
    m = model.model
    point = {}
    for rv in m.free_RVs:
        value = m.rvs_to_values[rv]
        x = idata.posterior[rv.name].values.ravel()[0]
        transform = m.rvs_to_transforms.get(rv)
        point[value.name] = transform.forward(x, *rv.owner.inputs).eval() if transform is not None else x
    return float(m.compile_logp(jacobian=False)(point))


def _frame(summaries: Sequence[Summary], *, money: bool = False) -> Any:
    import pandas as pd  # noqa: PLC0415

    columns: dict[str, list[Any]] = {
        "customer_id": [s.customer_id for s in summaries],
        "frequency": [s.frequency for s in summaries],
    }
    if money:  # in yuan: keeps the optimizer well scaled
        columns["monetary_value"] = [s.monetary_value / 100 for s in summaries]
    else:
        columns["recency"] = [s.recency for s in summaries]
        columns["T"] = [s.T for s in summaries]
    return pd.DataFrame(columns)


def fit(
    summaries: Sequence[Summary], *, unit: TimeUnit, per_member: bool = True, gamma_gamma: bool = True
) -> ClvFit:
    """Fit BG/NBD (and Gamma-Gamma on the repeat customers) to the summaries by maximum likelihood."""
    if not available():
        raise ClvUnavailable()
    _quiet()
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel  # noqa: PLC0415

    repeaters = [s for s in summaries if s.frequency > 0]
    if len(repeaters) < MIN_REPEAT_CUSTOMERS:
        raise TooFewCustomers(customers=len(summaries), repeat_customers=len(repeaters))
    data = _frame(summaries)
    bg = BetaGeoModel(model_config=_flat("r", "alpha", "a", "b"))
    bg_idata = bg.fit(data=data, method="map", progressbar=False)
    params = {k: v for k, v in _point(bg, bg_idata).items() if k in {"r", "alpha", "a", "b"}}
    gg_params: dict[str, float] = {}
    gg = None
    if gamma_gamma:
        gg = GammaGammaModel(model_config=_flat("p", "q", "v"))
        spenders = [s for s in repeaters if s.monetary_value > 0]  # Gamma-Gamma needs a positive spend
        gg_idata = gg.fit(data=_frame(spenders, money=True), method="map", progressbar=False)
        gg_params = {k: v for k, v in _point(gg, gg_idata).items() if k in {"p", "q", "v"}}
    members = _members(bg, gg, data, summaries, unit=unit) if per_member else {}
    return ClvFit(unit, len(summaries), params, gg_params, _log_likelihood(bg, bg_idata), members, bg)


def expected_repeat_purchases(fitted: ClvFit, summaries: Sequence[Summary], *, horizon: float) -> float:
    """Repeat purchases the fitted model expects from these customers in the next ``horizon`` units."""
    found = fitted.model.expected_purchases(data=_frame(summaries), future_t=horizon).mean(("chain", "draw"))
    return float(found.sum())


def _members(
    bg: Any, gg: Any, data: Any, summaries: Sequence[Summary], *, unit: TimeUnit
) -> dict[str, MemberValue]:
    import numpy as np  # noqa: PLC0415

    horizon = HORIZON_DAYS / unit.days
    expected = np.asarray(bg.expected_purchases(data=data, future_t=horizon).mean(("chain", "draw")).values)
    alive = np.asarray(bg.expected_probability_alive(data=data).mean(("chain", "draw")).values)
    if gg is not None:
        # no positive repeat spend: the population's mean spend (as for a first-time customer)
        known = [s if s.monetary_value > 0 else Summary(s.customer_id, 0, 0.0, s.T, 0.0) for s in summaries]
        found = gg.expected_customer_spend(data=_frame(known, money=True)).mean(("chain", "draw"))
        spend = np.asarray(found.values) * 100
    else:
        spend = np.zeros(len(summaries))
    return {
        s.customer_id: MemberValue(
            s.customer_id, float(expected[i]), float(alive[i]), float(spend[i]), float(expected[i] * spend[i])
        )
        for i, s in enumerate(summaries)
    }
