"""Instances for the depth-D diagonal-network family, built directly from a seed and a few sizes.

* ``deep_diag_instances``: (X, y, depth, alpha) with X Gaussian m x d (m < d), y Gaussian, and
  alpha = 10^(-e), e drawn in [0, e_max(D)] (shrinks towards alpha = 1, the cheapest flow). e_max keeps
  the stiff flow affordable and the reference certifiable in float64 (D = 5 reaches 1 - |u| ~ alpha^3).
* ``l1_vertex_instances``: (X, y) whose min-l1 interpolant is a unique, non-degenerate vertex with a
  dual margin: pick the support S (|S| = m), signs sigma and a dual lambda = X_S^(-T) sigma, then build
  each off-support column with a prescribed correlation x_j^T lambda = rho_j, |rho_j| <= 0.85, and set
  y = X_S beta_S. So max_{j not in S} |x_j^T lambda| <= 0.85 by construction (no filtering).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import seeds

E_MAX = {2: 1.5, 3: 1.5, 4: 1.3, 5: 1.1}  # alpha >= 10^-e_max (affordable, certifiable)
OFF_SUPPORT_CORRELATION_MAX = 0.85


@st.composite
def deep_diag_instances(draw, depths=(2, 3, 4, 5), e_max: dict | None = None):
    m = draw(st.integers(min_value=2, max_value=4))
    d = m + draw(st.integers(min_value=2, max_value=5))
    depth = draw(st.sampled_from(list(depths)))
    e = draw(st.floats(min_value=0.0, max_value=(e_max or E_MAX)[depth], allow_nan=False))
    rng = np.random.default_rng(draw(seeds()))
    X = rng.standard_normal((m, d))
    y = rng.standard_normal(m)
    return {"X": X, "y": y, "depth": int(depth), "alpha": float(10.0**-e)}


@st.composite
def l1_vertex_instances(draw):
    m = draw(st.integers(min_value=2, max_value=4))
    d = m + draw(st.integers(min_value=2, max_value=5))
    rng = np.random.default_rng(draw(seeds()))
    XS = rng.standard_normal((m, m)) + 0.5 * np.eye(m) * np.sqrt(m)  # keep X_S away from singular
    sigma = rng.choice([-1.0, 1.0], size=m)
    lam = np.linalg.solve(XS.T, sigma)
    off = []
    for _ in range(d - m):
        g = rng.standard_normal(m)
        rho = rng.uniform(-OFF_SUPPORT_CORRELATION_MAX, OFF_SUPPORT_CORRELATION_MAX)
        g = g - (g @ lam) / (lam @ lam) * lam + rho * lam / (lam @ lam)
        off.append(g)
    beta_S = sigma * rng.uniform(0.3, 2.0, size=m)
    X = np.column_stack([XS] + off)
    perm = rng.permutation(d)
    X = X[:, perm]
    y = XS @ beta_S
    return {"X": X, "y": y}
