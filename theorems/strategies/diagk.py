"""Instances for the diagonal nets beyond width 1 and the square loss (catalogue entry 10).

* regression systems (X, y): X = U diag(s) V^T, cond <= 5, sigma_max 1, y Gaussian (always solvable);
* separable classification data (X, y) with N < d points: X Gaussian with rows scaled to unit norm,
  labels +-1 with both classes; N < d and a full-rank X make every labelling linearly separable
  (Z beta = 1 is solvable), so no filtering is needed;
* separable data with a planted l1 max margin (unique, dual slack >= 0.3, well-conditioned support block), for the
  claims about the l1 limit and the l2 -> l1 transition;
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


def planted_l1_draw(rng: np.random.Generator, N: int, d: int, slack_lo: float = 0.3, slack_hi: float = 0.9,
                    inactive: int = 0):
    """Separable (X, y) whose l1 max margin argmin ||b||_1 s.t. y_n <x_n, b> >= 1 is planted, with a well-conditioned
    support block: support S of size N (random positions), dual lambda > 0 with every constraint active, dual slack
    e_j = 1 - |(Z^T lambda)_j| in [slack_lo, slack_hi] off the support (Z = diag(y) X). Returns (X, y, b, lambda).

    Construction (no filtering): b_S = +-U(0.5, 1.5), lambda = |b_S| (so 1^T lambda = ||b_S||_1: zero duality gap);
    the support block Z_S = diag(1 / b_S) + eps P with P = (I - lambda lambda^T/|lambda|^2) G (I - b b^T/|b|^2) / ||.||
    (G Gaussian, eps ~ U(0, 0.3)) keeps Z_S b_S = 1 and Z_S^T lambda = sign(b_S) and cond(Z_S) small; off-support
    columns z_j = t_j lambda / |lambda|^2 + c (I - lambda lambda^T/|lambda|^2) g_j with t_j = +-(1 - e_j),
    c ~ U(0.2, 0.5). Then (b, lambda) is primal-dual optimal with strict complementarity: the l1 max margin is
    unique and equal to b. The support block's conditioning matters for the flow: the off-support mass feeds back
    into the support values through Z_S^-1 Z_off, and with a large gain the asymptotic rate sets in only at loss
    levels beyond float64 reach (theorems.families.diag_net_beyond.exp_loss). ``inactive`` extra points get a
    Gaussian z rescaled to margin z^T b = 1 + delta, delta ~ U(0.5, 2), and dual 0: b stays the unique l1 max
    margin, with those margins inactive (strictly above 1)."""
    bS = rng.uniform(0.5, 1.5, N) * rng.choice([-1.0, 1.0], N)
    lam = np.abs(bS)
    Pl = np.eye(N) - np.outer(lam, lam) / float(lam @ lam)
    Pb = np.eye(N) - np.outer(bS, bS) / float(bS @ bS)
    P = Pl @ rng.standard_normal((N, N)) @ Pb
    ZS = np.diag(1.0 / bS) + rng.uniform(0.0, 0.3) * P / max(float(np.linalg.norm(P, 2)), 1e-300)
    off = d - N
    t = rng.choice([-1.0, 1.0], off) * (1.0 - rng.uniform(slack_lo, slack_hi, off))
    Zo = np.outer(lam, t) / float(lam @ lam) + rng.uniform(0.2, 0.5) * Pl @ rng.standard_normal((N, off))
    perm = rng.permutation(d)
    Z = np.empty((N, d))
    Z[:, perm[:N]] = ZS
    Z[:, perm[N:]] = Zo
    beta1 = np.zeros(d)
    beta1[perm[:N]] = bS
    if inactive:
        extra = rng.standard_normal((inactive, d))
        margin = extra @ beta1
        extra *= (1.0 + rng.uniform(0.5, 2.0, inactive))[:, None] / np.where(np.abs(margin) > 1e-3, margin, 1e-3)[:, None]
        Z = np.vstack([Z, extra])
        lam = np.concatenate([lam, np.zeros(inactive)])
    y = rng.choice([-1.0, 1.0], Z.shape[0])
    y[0], y[-1] = 1.0, -1.0
    return y[:, None] * Z, y, beta1, lam


@st.composite
def planted_l1_system(draw, n_max: int = 4, extra_max: int = 5, alpha_lo: float = 0.05, alpha_hi: float = 1.0,
                      with_alpha: bool = True, with_loss: bool = True, inactive: int = 0):
    N = draw(st.integers(min_value=2, max_value=n_max))
    d = N + draw(st.integers(min_value=2, max_value=extra_max))
    X, y, _, _ = planted_l1_draw(np.random.default_rng(draw(seeds())), N, d, inactive=inactive)
    inst = {"X": X, "y": y}
    if with_alpha:
        inst["alpha"] = draw(log_uniform(alpha_lo, alpha_hi))
    if with_loss:
        inst["loss"] = draw(st.integers(min_value=0, max_value=1))
    return inst
