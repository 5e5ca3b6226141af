"""Customers simulated from BG/NBD and Gamma-Gamma with known parameters (tests and the benchmark).

Each customer: purchase rate lambda ~ Gamma(shape r, rate alpha); dropout probability
p ~ Beta(a, b); they buy at exponential intervals from time 0 (the first purchase) and, after
each repeat purchase, leave with probability p. Spend per purchase z ~ Gamma(shape p_gg,
rate nu) with nu ~ Gamma(shape q, rate v). Observed for T units (uniform in ``t_range``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from guildcard.insights.domain.clv_data import Summary


@dataclass(frozen=True)
class TrueParams:
    r: float = 0.243
    alpha: float = 4.414
    a: float = 0.793
    b: float = 2.426
    p: float = 6.25
    q: float = 3.74
    v: float = 15.44


def simulate(
    n: int, params: TrueParams, *, t_range: tuple[float, float] = (30.0, 39.0), seed: int = 1
) -> list[Summary]:
    rng = random.Random(seed)  # noqa: S311 -- a reproducible simulation, not a secret
    out = []
    for i in range(n):
        lam = rng.gammavariate(params.r, 1 / params.alpha)
        drop = rng.betavariate(params.a, params.b)
        nu = rng.gammavariate(params.q, 1 / params.v)
        horizon = rng.uniform(*t_range)
        t, last, repeats, spend = 0.0, 0.0, 0, 0.0
        while True:
            t += rng.expovariate(lam) if lam > 0 else horizon + 1
            if t > horizon:
                break
            repeats, last = repeats + 1, t
            spend += rng.gammavariate(params.p, 1 / nu)
            if rng.random() < drop:
                break
        out.append(Summary(f"c{i}", repeats, last, horizon, 100 * spend / repeats if repeats else 0.0))
    return out
