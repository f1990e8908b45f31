"""Instances for the diagonal nets beyond width 1 and the square loss (catalogue entry 10).

* regression systems (X, y): X = U diag(s) V^T, cond <= 5, sigma_max 1, y Gaussian (always solvable);
* separable classification data (X, y) with N < d points: X Gaussian with rows scaled to unit norm,
  labels +-1 with both classes; N < d and a full-rank X make every labelling linearly separable
  (Z beta = 1 is solvable), so no filtering is needed;
* the lazy net: n inputs in R^d (Gaussian), targets Gaussian, a seed for the antisymmetric start.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import conditioned_matrix, log_uniform, seeds


@st.composite
def width_system(draw, m_max: int = 4, extra_max: int = 4, k_max: int = 4):
    m = draw(st.integers(min_value=2, max_value=m_max))
    d = m + draw(st.integers(min_value=2, max_value=extra_max))
    rng = np.random.default_rng(draw(seeds()))
    X = conditioned_matrix(rng, m, d, draw(log_uniform(1.0, 5.0)), 1.0)
    return {"X": X, "y": rng.standard_normal(m), "k": draw(st.integers(min_value=1, max_value=k_max)),
            "sigma": draw(log_uniform(0.1, 1.0)), "seed": draw(st.integers(min_value=0, max_value=2**31 - 1))}


@st.composite
def width_limit_system(draw):
    m = draw(st.integers(min_value=2, max_value=4))
    d = m + draw(st.integers(min_value=3, max_value=8))
    rng = np.random.default_rng(draw(seeds()))
    X = conditioned_matrix(rng, m, d, draw(log_uniform(1.0, 5.0)), 1.0)
    return {"X": X, "y": rng.standard_normal(m), "mu": draw(log_uniform(0.3, 2.0)),
            "seed": draw(st.integers(min_value=0, max_value=2**31 - 1))}


def separable_draw(rng: np.random.Generator, N: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    X = rng.standard_normal((N, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.choice([-1.0, 1.0], N)
    y[0], y[-1] = 1.0, -1.0
    return X, y


@st.composite
def separable_system(draw, n_max: int = 5, extra_max: int = 6, alpha_lo: float = 0.05, alpha_hi: float = 1.0,
                     with_alpha: bool = True, with_loss: bool = True, depth: int | None = None):
    N = draw(st.integers(min_value=2, max_value=n_max))
    d = N + draw(st.integers(min_value=2, max_value=extra_max))
    X, y = separable_draw(np.random.default_rng(draw(seeds())), N, d)
    inst = {"X": X, "y": y}
    if with_alpha:
        inst["alpha"] = draw(log_uniform(alpha_lo, alpha_hi))
    if with_loss:
        inst["loss"] = draw(st.integers(min_value=0, max_value=1))
    if depth is not None:
        inst["depth"] = int(depth) if depth > 0 else draw(st.integers(min_value=3, max_value=4))
    return inst


@st.composite
def lazy_system(draw):
    n = draw(st.integers(min_value=3, max_value=5))
    d = draw(st.integers(min_value=2, max_value=3))
    rng = np.random.default_rng(draw(seeds()))
    return {"X": rng.standard_normal((n, d)), "y": rng.standard_normal(n), "width": 2 * draw(st.integers(4, 8)),
            "seed": draw(st.integers(min_value=0, max_value=2**31 - 1))}
