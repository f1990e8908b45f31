"""Linearly separable data sets built with a KNOWN max-margin solution (no filtering).

Construction (in "signed" coordinates z_i = y_i x_i): draw a unit u and k <= min(d, m) support
vectors z_i = gamma u + v_i, v_i in u's orthogonal complement with sum_i alpha_i v_i = 0 for drawn
alpha_i > 0 (v_1..v_{k-1} orthogonal with lengths ~ gamma sqrt(k), v_k = -sum_{i<k} alpha_i v_i /
alpha_k; the alpha_i are spread, max/min ~ 3, so the duals differ). Then w_hat = u / gamma satisfies the hard-margin KKT conditions: z_i^T w_hat = 1 on the support,
w_hat = sum_i a_i z_i with a_i = alpha_i / (gamma^2 sum alpha) > 0. The other m - k points sit at
margin z_j^T w_hat = 1 + delta_j with delta_j >= DELTA_MIN, so every non-support vector is strictly
off the margin and the support vectors are linearly independent with positive duals: data in
general position in the sense of Soudry et al. 2018. Labels y_i = +-1 (both classes present),
x_i = y_i z_i.

The data are scaled to sigma_max(X) = 1 (w_hat scaled accordingly). Degenerate data (points on the
margin with zero dual, Soudry et al.'s log log t case) are not generated yet.

Why DELTA_MIN: in w(t) = w_hat log t + w_tilde + r(t), a non-support vector with margin 1 + delta
feeds r(t) like t^-delta; the finite-horizon checks need the transient r(t) to have settled
(see theorems.families.separable), so delta is kept >= 0.5 (the theorem holds for any delta > 0).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import log_uniform, seeds

DELTA_MIN = 0.5


def separable_data(rng: np.random.Generator, m: int, d: int, k: int, gamma: float, delta_min: float = DELTA_MIN):
    """(X, y, w_hat): m points in R^d whose hard-margin SVM solution is w_hat (k support vectors)."""
    k = max(1, min(k, d, m))
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    P = np.eye(d) - np.outer(u, u)
    # distinct dual weights (max/min >= ~2.5 when k >= 2): the generic case for the rate claims
    alpha = rng.permutation(np.geomspace(0.5, 1.5, k)) * rng.uniform(0.9, 1.1, size=k)
    # perpendicular spread ~ gamma: keeps ||w_hat|| sigma_max(X) (the time scale on which
    # the asymptotic regime w ~ w_hat log t sets in, in units of 1/sigma_max^2) of order sqrt(k)
    V = gamma * rng.standard_normal((m, d)) @ P
    if k >= 2:  # well-spread support vectors: orthogonal offsets of size ~ gamma sqrt(k)
        Q = np.linalg.qr(P @ rng.standard_normal((d, k - 1)))[0]
        V[: k - 1] = (Q * (gamma * np.sqrt(k) * rng.uniform(1.0, 2.0, size=k - 1))).T
        V[k - 1] = -(alpha[: k - 1] @ V[: k - 1]) / alpha[k - 1]
    else:
        V[0] = 0.0
    margin = np.ones(m)
    margin[k:] += delta_min + rng.exponential(0.5, size=m - k)
    Zs = (gamma * margin)[:, None] * u[None, :] + V
    y = rng.choice([-1.0, 1.0], size=m)
    if m >= 2:
        y[0], y[-1] = 1.0, -1.0
    perm = rng.permutation(m)
    # unit spectral norm: the flow clock of the theorem (w ~ w_hat log t) then coincides with the
    # dimensionless time eta t sigma_max^2 used by the checks (no log sigma^2 offset in rho)
    scale = float(np.linalg.norm(Zs, 2))
    return (y[:, None] * Zs)[perm] / scale, y[perm], u * scale / gamma


@st.composite
def separable_instances(draw, names: tuple[str, ...] = (), m_range=(2, 8), d_range=(2, 5), k_range=(1, 5)):
    """A dict with X (m x d), y (+-1), w0 and the optimizer knobs listed in ``names``;
    k_range bounds the number of support vectors."""
    m = draw(st.integers(max(m_range[0], k_range[0]), m_range[1]))
    d = draw(st.integers(max(d_range[0], k_range[0]), d_range[1]))
    k = draw(st.integers(k_range[0], min(m, d, k_range[1])))
    gamma = draw(log_uniform(0.3, 1.0))
    w0_kind = draw(st.sampled_from(["zero", "gaussian", "adversarial"]))
    rng = np.random.default_rng(draw(seeds()))
    X, y, w_hat = separable_data(rng, m, d, k, gamma)
    w0 = {"zero": np.zeros(d), "gaussian": rng.standard_normal(d) / np.linalg.norm(X, 2),
          # against the max-margin direction (every margin -1/2 of its final sign): GD must turn around
          "adversarial": -0.5 * w_hat / np.linalg.norm(w_hat) ** 2}[w0_kind]
    inst = {"X": X, "y": y, "w0": w0}
    knobs = {
        "eta_frac": st.floats(min_value=0.3, max_value=0.9),
        "beta": st.floats(min_value=0.0, max_value=0.8),
    }
    for name in names:
        if name not in inst:
            inst[name] = draw(knobs[name])
    return inst
