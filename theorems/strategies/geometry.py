"""Instances for the optimizer-geometry family, built valid by construction (no filtering).

* :func:`step_dependence_instances`: (X, y, w0) with m <= 3 observations, d <= m + 4 unknowns and
  cond(X) <= 3 (non-Euclidean steepest descent contracts at a rate ~ 1 - c / (d kappa^2) per step,
  so these keep every run to a few thousand steps), 2-4 distinct step fractions in [0.15, 0.9]
  (``eta_fracs``, ascending), and the knobs of the method: the norm of steepest descent, the
  potential (0 negative entropy: w0 > 0 and y = X u+ with u+ > 0, so y is reachable inside the
  domain; 2 hyperbolic entropy with scale b: any w0, y), the momentum (beta, gamma).
* :func:`flow_instances`: (X, y, w0) with m <= 4, d <= m + 6, cond(X) <= 10 and the potential
  (0 or 2, built as above), for the natural gradient flow.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import conditioned_matrix, log_uniform, seeds

ETA_GRID = (0.15, 0.25, 0.4, 0.6, 0.75, 0.9)


def _system(rng, m, d, kappa, potential):
    X = conditioned_matrix(rng, m, d, kappa, 1.0)
    if potential == 0:
        return X, X @ np.exp(0.5 * rng.standard_normal(d)), np.exp(0.5 * rng.standard_normal(d))
    return X, rng.standard_normal(m), rng.standard_normal(d)


@st.composite
def step_dependence_instances(draw, names: tuple[str, ...], potentials=(0, 2), kappa_max: float = 3.0):
    m = draw(st.integers(min_value=1, max_value=3))
    d = m + draw(st.integers(min_value=1, max_value=4))
    kappa = draw(log_uniform(1.0, kappa_max))
    fr = draw(st.lists(st.sampled_from(ETA_GRID), min_size=2, max_size=4, unique=True))
    extra = {
        "norm": st.sampled_from((0, 1, 2)),
        "potential": st.sampled_from(potentials),
        "b": log_uniform(0.3, 3.0),
        "beta": st.floats(min_value=0.2, max_value=0.7),
        "gamma_is_beta": st.booleans(),
    }
    knobs = {k: draw(v) for k, v in extra.items()
             if k in names or (k == "gamma_is_beta" and "gamma" in names)}
    rng = np.random.default_rng(draw(seeds()))
    X, y, w0 = _system(rng, m, d, kappa, knobs.get("potential", 2))
    inst = {"X": X, "y": y, "w0": w0, "eta_fracs": np.array(sorted(fr))}
    for k in ("norm", "potential", "b", "beta"):
        if k in names:
            inst[k] = knobs[k]
    if "gamma" in names:
        inst["gamma"] = inst["beta"] if knobs["gamma_is_beta"] else 0.0
    return {k: inst[k] for k in names}


@st.composite
def flow_instances(draw, potentials=(0, 2)):
    k = draw(st.sampled_from(potentials))
    m = draw(st.integers(min_value=1, max_value=4))
    d = m + draw(st.integers(min_value=1, max_value=6))
    kappa = draw(log_uniform(1.0, 10.0))
    b = draw(log_uniform(0.3, 3.0))
    rng = np.random.default_rng(draw(seeds()))
    X, y, w0 = _system(rng, m, d, kappa, k)
    return {"X": X, "y": y, "w0": w0, "potential": k, "b": b}
