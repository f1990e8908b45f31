"""Instances for the depth-2 diagonal-net family, built directly from a seed and a few scalars.

X = U diag(s) V^T (rank m, cond <= 10, sigma_max 1) and y Gaussian, so X beta = y is always
solvable; alpha log-uniform; general starts have random signs and magnitudes in [0.2, 2].
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import conditioned_matrix, log_uniform, seeds


@st.composite
def diag_net_system(draw, m_max: int = 6, extra_max: int = 14, alpha_lo: float = 1e-2, alpha_hi: float = 1e2,
                    general_start: bool = False, fixed_alpha: float | None = None):
    m = draw(st.integers(min_value=2, max_value=m_max))
    d = m + draw(st.integers(min_value=2, max_value=extra_max))
    kappa = draw(log_uniform(1.0, 10.0))
    rng = np.random.default_rng(draw(seeds()))
    X = conditioned_matrix(rng, m, d, kappa, 1.0)
    y = rng.standard_normal(m)
    inst = {"X": X, "y": y}
    if general_start:
        inst["w_plus0"] = rng.choice([-1.0, 1.0], d) * 10.0 ** rng.uniform(np.log10(0.2), np.log10(2.0), d)
        inst["w_minus0"] = rng.choice([-1.0, 1.0], d) * 10.0 ** rng.uniform(np.log10(0.2), np.log10(2.0), d)
    else:
        inst["alpha"] = float(fixed_alpha) if fixed_alpha is not None else draw(log_uniform(alpha_lo, alpha_hi))
    return inst


@st.composite
def r_values(draw):
    """A vector of b values for r(b): 0, tiny, moderate and huge magnitudes, both signs."""
    rng = np.random.default_rng(draw(seeds()))
    n = draw(st.integers(min_value=4, max_value=24))
    b = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-8.0, 6.0, n)
    b[0] = 0.0
    return {"b": b, "alpha": draw(log_uniform(1e-2, 1e2))}
