"""Instances for the mirror-descent family, built valid by construction (no filtering).

* ``mirror_descent_instances``: (X, y, w0) with cond(X) <= 10, a potential index (0 negative
  entropy, 1 half squared p-norm, 2 hyperbolic entropy), p on the grid 1 + j/8 (rational, so the
  cvxpy power-cone route is exact), scale b, step fraction. For the entropy potential y = X u+ with
  u+ > 0 and w0 > 0, so y is reachable by a positive w (built so).
* ``basis_pursuit_instances``: a non-negative basis-pursuit LP with a known, unique, nondegenerate
  solution and prescribed reduced costs. Support S (|S| = m) with X_S well conditioned and
  u_S > 0, y = X_S u_S; the dual nu = X_S^{-T} 1; each off-support column x_j is a Gaussian moved
  along nu so that its reduced cost s_j = 1 - <x_j, nu> is exactly the drawn value: one column gets
  the smallest reduced cost s0, the others s_j >= s0 + gap. Columns are then shuffled. The square
  reparametrization approaches this solution like alpha^{s0} as alpha -> 0, so s0 and the gap to
  the next reduced cost are what the alpha -> 0 claim needs under control.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import conditioned_matrix, log_uniform, seeds

P_GRID = tuple(1.0 + j / 8.0 for j in range(2, 7))  # 1.25 .. 1.75


@st.composite
def mirror_descent_instances(draw, potentials=(0, 1, 2)):
    k = draw(st.sampled_from(potentials))
    m = draw(st.integers(min_value=1, max_value=5))
    d = m + draw(st.integers(min_value=1, max_value=10))
    kappa = draw(log_uniform(1.0, 10.0))
    p = draw(st.sampled_from(P_GRID))
    b = draw(log_uniform(0.1, 10.0))
    eta_frac = draw(st.floats(min_value=0.2, max_value=0.9))
    rng = np.random.default_rng(draw(seeds()))
    X = conditioned_matrix(rng, m, d, kappa, 1.0)
    if k == 0:
        u_pos = np.exp(0.5 * rng.standard_normal(d))
        y = X @ u_pos
        w0 = np.exp(0.5 * rng.standard_normal(d))
    else:
        y = rng.standard_normal(m)
        w0 = rng.standard_normal(d)
    return {"X": X, "y": y, "w0": w0, "potential": k, "p": p, "b": b, "eta_frac": eta_frac}


def basis_pursuit_problem(rng: np.random.Generator, m: int, n_off: int, s0: float, s_gap: float,
                          kappa: float = 3.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, u_l1, reduced costs) as described in the module docstring."""
    XS = conditioned_matrix(rng, m, m, kappa, 1.0)
    uS = rng.uniform(0.5, 2.0, m)
    nu = np.linalg.solve(XS.T, np.ones(m))
    s = np.r_[s0, s0 + s_gap + rng.uniform(0.0, 1.0, n_off - 1)]
    cols = []
    for sj in s:
        g = rng.standard_normal(m) / np.sqrt(m)
        g = g + ((1.0 - sj) - g @ nu) / (nu @ nu) * nu
        cols.append(g)
    X = np.column_stack([XS] + cols)
    u = np.r_[uS, np.zeros(n_off)]
    red = np.r_[np.zeros(m), s]
    perm = rng.permutation(m + n_off)
    return X[:, perm], XS @ uS, u[perm], red[perm]


@st.composite
def basis_pursuit_instances(draw, alpha_range=(0.01, 1.0), with_alpha: bool = True):
    m = draw(st.integers(min_value=1, max_value=4))
    n_off = draw(st.integers(min_value=1, max_value=6))
    s0 = draw(st.floats(min_value=0.4, max_value=0.8))
    alpha = draw(log_uniform(*alpha_range)) if with_alpha else None
    rng = np.random.default_rng(draw(seeds()))
    X, y, _, _ = basis_pursuit_problem(rng, m, n_off, s0, 0.6)
    inst = {"X": X, "y": y}
    if with_alpha:
        inst["alpha"] = alpha
    return inst


@st.composite
def positive_system_instances(draw):
    """(X, y) with cond(X) <= 10 and y = X u+, u+ > 0 (lognormal): reachable by a positive u."""
    m = draw(st.integers(min_value=1, max_value=4))
    d = m + draw(st.integers(min_value=1, max_value=6))
    kappa = draw(log_uniform(1.0, 10.0))
    rng = np.random.default_rng(draw(seeds()))
    X = conditioned_matrix(rng, m, d, kappa, 1.0)
    return {"X": X, "y": X @ np.exp(0.5 * rng.standard_normal(d))}
