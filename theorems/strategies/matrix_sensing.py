"""Instances for the matrix factorization and sensing family, built directly from a few small draws.

* :func:`commuting_instances` -- commuting symmetric A_i = Q diag(a_i) Q^T (Q Haar) and a commuting
  full-rank start X0 = Q diag(x0) Q^T. The diagonal system (a, y) is built so that the LP
  min 1^T x s.t. a x = y, x >= 0 has a unique non-degenerate vertex with a reduced-cost margin:
  pick the support S (|S| = m), a well-conditioned a_S, x_S > 0, the dual lambda = a_S^(-T) 1, and
  each off-support column with a prescribed reduced cost s_j = 1 - a_j^T lambda in [s_lo, s_hi]; then
  y = a_S x_S. So y is reachable by a PSD X, a strictly positive solution exists (the KL projection is
  defined) and the min-trace solution is x* (no filtering).
* :func:`deep_commuting_instances` -- the same system with a depth N >= 3 and an interior seed.
* :func:`gaussian_psd_instances` -- symmetric Gaussian sensing A_i = (G_i + G_i^T) / (2 sqrt(m)) of a
  rank-r PSD X* (y = A(X*)), m = f n r (f = 3 in Gunasekar et al. 2017, sec. 5; f = 2, 1.5 too: fewer
  measurements, where X_nuc may differ from X*) capped below n(n+1)/2,
  with a start scale and a seed for the start's rotation; ``start_rank`` < n makes the start
  rank-deficient (a calibration: X(t) then keeps rank <= start_rank).
* :func:`singular_value_instances` -- n1 x n2 Gaussian sensing or completion, depth 2..4, a balanced
  start of a given scale (interior rotations from a seed).
* :func:`lift_instances` -- general n1 x n2 sensing with starts (U0, V0), or diagonal A_i = diag(x_i)
  (the diagonal net) with diagonal starts.
* :func:`completion_2x2_instances` -- Razin & Cohen's 2 x 2 completion: a start W0 with det > 0 of a
  given scale, a depth.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import haar_orthonormal, log_uniform, seeds


def lp_vertex_system(rng: np.random.Generator, m: int, n: int, s_lo: float, s_hi: float):
    """(a, y, x*, s): a is m x n, the LP min 1^T x s.t. a x = y, x >= 0 has the unique vertex x*
    with reduced costs s (0 on the support, in [s_lo, s_hi] off it)."""
    aS = rng.standard_normal((m, m)) + 1.5 * np.sqrt(m) * np.eye(m)
    xS = rng.uniform(0.3, 2.0, m)
    lam = np.linalg.solve(aS.T, np.ones(m))
    off, s_off = [], rng.uniform(s_lo, s_hi, n - m)
    for sj in s_off:
        g = rng.standard_normal(m)
        g = g - (g @ lam) / (lam @ lam) * lam + (1.0 - sj) * lam / (lam @ lam)
        off.append(g)
    a = np.column_stack([aS] + off)
    perm = rng.permutation(n)
    x = np.concatenate([xS, np.zeros(n - m)])
    s = np.concatenate([np.zeros(m), s_off])
    return a[:, perm], aS @ xS, x[perm], s[perm]


def embed(a: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """A_i = Q diag(a_i) Q^T for each row a_i."""
    return np.einsum("ik,mk,jk->mij", Q, a, Q)


@st.composite
def commuting_instances(draw, alpha_lo: float = 1e-3, alpha_hi: float = 1.0, s_lo: float = 0.3, s_hi: float = 1.2,
                        m_max: int = 3, extra_max: int = 4):
    m = draw(st.integers(min_value=1, max_value=m_max))
    n = m + draw(st.integers(min_value=2, max_value=extra_max))
    alpha = draw(log_uniform(alpha_lo, alpha_hi))
    rng = np.random.default_rng(draw(seeds()))
    Q = haar_orthonormal(rng, n, n)
    a, y, _, _ = lp_vertex_system(rng, m, n, s_lo, s_hi)
    x0 = alpha * np.exp(rng.uniform(-1.0, 1.0, n))
    return {"A": embed(a, Q), "y": y, "X0": (Q * x0) @ Q.T, "seed": int(rng.integers(0, 2**31))}


@st.composite
def deep_commuting_instances(draw, depths=(3, 4), alpha_lo: float = 0.05, alpha_hi: float = 1.0):
    inst = draw(commuting_instances(alpha_lo=alpha_lo, alpha_hi=alpha_hi, m_max=2, extra_max=3))
    inst["W0"] = inst.pop("X0")
    inst["depth"] = int(draw(st.sampled_from(list(depths))))
    return inst


def symmetric_gaussian(rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    G = rng.standard_normal((m, n, n))
    return (G + np.swapaxes(G, 1, 2)) / (2.0 * np.sqrt(m))


@st.composite
def gaussian_psd_instances(draw, n_lo: int = 4, n_hi: int = 7, ranks=(1, 2), init_lo: float = 1e-4,
                           init_hi: float = 1e-3, start_rank: int | None = None, oversampling=(3.0, 2.0, 1.5)):
    n = draw(st.integers(min_value=n_lo, max_value=n_hi))
    r = int(draw(st.sampled_from(list(ranks))))
    f = float(draw(st.sampled_from(list(oversampling))))  # m = f n r (Gunasekar et al.: f = 3)
    init = draw(log_uniform(init_lo, init_hi))
    rng = np.random.default_rng(draw(seeds()))
    m = max(1, min(int(round(f * n * r)), n * (n + 1) // 2 - 1))
    A = symmetric_gaussian(rng, m, n)
    Z = rng.standard_normal((n, r))
    Xs = Z @ Z.T
    inst = {"A": A, "y": np.einsum("kij,ij->k", A, Xs), "truth": Xs, "init_scale": float(init),
            "seed": int(rng.integers(0, 2**31))}
    if start_rank is not None:
        inst["start_rank"] = int(start_rank)
    return inst


@st.composite
def singular_value_instances(draw, depths=(2, 3, 4)):
    n1 = draw(st.integers(min_value=2, max_value=4))
    n2 = draw(st.integers(min_value=2, max_value=4))
    depth = int(draw(st.sampled_from(list(depths))))
    kind = draw(st.sampled_from(["sensing", "completion"]))
    scale = draw(log_uniform(0.05, 0.5))
    rng = np.random.default_rng(draw(seeds()))
    k = n1 * n2
    m = int(rng.integers(max(1, k // 3), k))  # underdetermined
    Z = rng.standard_normal((n1, 1)) @ rng.standard_normal((1, n2))
    if kind == "sensing":
        A = rng.standard_normal((m, n1, n2)) / np.sqrt(m)
    else:
        idx = rng.choice(k, size=m, replace=False)
        A = np.zeros((m, n1, n2))
        A[np.arange(m), idx // n2, idx % n2] = 1.0
    k = min(n1, n2)
    spread = scale * 10.0 ** -np.sort(rng.uniform(0.0, 0.7, k))  # distinct singular values
    W0 = (haar_orthonormal(rng, n1, k) * spread) @ haar_orthonormal(rng, n2, k).T
    return {"A": A, "y": np.einsum("kij,ij->k", A, Z), "W0": W0, "depth": depth,
            "seed": int(rng.integers(0, 2**31))}


@st.composite
def lift_instances(draw, diagonal: bool | None = None):
    kind = draw(st.sampled_from([False, True])) if diagonal is None else bool(diagonal)
    rng = np.random.default_rng(draw(seeds()))
    if kind:
        d = draw(st.integers(min_value=3, max_value=6))
        m = int(rng.integers(1, d))
        X = rng.standard_normal((m, d))
        A = np.zeros((m, d, d))
        A[:, np.arange(d), np.arange(d)] = X
        # diagonal starts with |u0| != |v0|: w+0 = (u0 + v0)/2 and w-0 = (u0 - v0)/2 both non-zero
        u0 = rng.uniform(0.2, 1.0, d) * rng.choice([-1.0, 1.0], d)
        v0 = u0 * rng.uniform(0.1, 0.7, d) * rng.choice([-1.0, 1.0], d)
        return {"A": A, "y": rng.standard_normal(m), "U0": np.diag(u0), "V0": np.diag(v0)}
    n1 = draw(st.integers(min_value=2, max_value=4))
    n2 = draw(st.integers(min_value=2, max_value=4))
    k = draw(st.integers(min_value=1, max_value=min(n1, n2)))
    m = int(rng.integers(1, min(k * (n1 + n2 - k), n1 * n2 - 1) + 1))  # <= dim of the rank-k matrices, < n1 n2
    A = rng.standard_normal((m, n1, n2)) / np.sqrt(m)
    Z = rng.standard_normal((n1, k)) @ rng.standard_normal((k, n2))
    scale = 10.0 ** rng.uniform(-1.0, 0.0)
    return {"A": A, "y": np.einsum("kij,ij->k", A, Z), "U0": scale * rng.standard_normal((n1, k)),
            "V0": scale * rng.standard_normal((n2, k))}


def rotation(theta: float) -> np.ndarray:
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


@st.composite
def completion_2x2_instances(draw, depths=(3, 4, 2)):
    """W0 = scale R(theta) diag(1, ratio) R(phi) (det W0 = scale^2 ratio > 0). Few, coarse draws:
    an expected-fails claim is shrunk by Hypothesis, and every evaluation integrates a slow flow."""
    depth = int(draw(st.sampled_from(list(depths))))
    scale = float(draw(st.sampled_from([0.1, 0.01, 0.3])))
    ratio = float(draw(st.sampled_from([0.5, 0.2, 1.0])))
    k = draw(st.integers(min_value=0, max_value=7))
    theta, phi = 0.3 + 0.7 * k, -1.1 + 0.45 * k
    return {"W0": scale * rotation(theta) @ np.diag([1.0, ratio]) @ rotation(phi), "depth": depth, "seed": k}
