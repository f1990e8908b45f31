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
margin with zero dual, Soudry et al.'s log log t case) come from :func:`degenerate_separable_data`.

Why DELTA_MIN: in w(t) = w_hat log t + w_tilde + r(t), a non-support vector with margin 1 + delta
feeds r(t) like t^-delta; the finite-horizon checks need the transient r(t) to have settled
(see theorems.families.separable), so delta is kept >= 0.5 (the theorem holds for any delta > 0).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import log_uniform, seeds

DELTA_MIN = 0.5


def _dual_weights(rng: np.random.Generator, k: int) -> np.ndarray:
    """k positive dual weights, distinct (max/min >= ~2.5 when k >= 2): the generic case for the rate claims."""
    return rng.permutation(np.geomspace(0.5, 1.5, k)) * rng.uniform(0.9, 1.1, size=k)


def _balanced_offsets(R: np.ndarray, weights: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """k = len(weights) offsets r_i in span(R's columns) with sum_i weights_i r_i = 0: r_1..r_{k-1}
    are R's columns scaled by ``spread``. Points gamma e + r_i (e orthogonal to R) then have
    w = e / gamma as their hard-margin SVM, <w, .> = 1 on all, with duals
    weights_i / (gamma^2 sum weights) > 0."""
    k = len(weights)
    r = np.zeros((k, R.shape[0]))
    if k >= 2:
        r[: k - 1] = (R[:, : k - 1] * spread[: k - 1]).T
        r[k - 1] = -(weights[: k - 1] @ r[: k - 1]) / weights[k - 1]
    return r


def separable_data(rng: np.random.Generator, m: int, d: int, k: int, gamma: float, delta_min: float = DELTA_MIN):
    """(X, y, w_hat): m points in R^d whose hard-margin SVM solution is w_hat (k support vectors)."""
    k = max(1, min(k, d, m))
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    P = np.eye(d) - np.outer(u, u)
    alpha = _dual_weights(rng, k)
    # perpendicular spread ~ gamma: keeps ||w_hat|| sigma_max(X) (the time scale on which
    # the asymptotic regime w ~ w_hat log t sets in, in units of 1/sigma_max^2) of order sqrt(k)
    V = gamma * rng.standard_normal((m, d)) @ P
    if k >= 2:  # well-spread support vectors: orthogonal offsets of size ~ gamma sqrt(k)
        Q = np.linalg.qr(P @ rng.standard_normal((d, k - 1)))[0]
        V[:k] = _balanced_offsets(Q, alpha, gamma * np.sqrt(k) * rng.uniform(1.0, 2.0, size=k - 1))
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


# ---- degenerate data: support vectors with zero dual (Soudry et al.'s log log t case) ------------

def degenerate_separable_data(rng: np.random.Generator, d: int, k: int, k2: int, n_off: int, n_non_sv: int,
                              gamma: float, gamma2: float, delta_min: float = DELTA_MIN):
    """(X, y, w_hat, w_tilde, support, degenerate): separable data whose margin face is degenerate.

    Signed points z = y x in an orthonormal frame (u, V_1..V_{k-1}, e, R_1..R_{k2-1}, rest):
      * k active support vectors z_i = gamma u + v_i, v_i in span V, sum alpha_i v_i = 0 (alpha > 0):
        w_hat = u / gamma, duals alpha_i / (gamma^2 sum alpha) > 0, linearly independent;
      * k2 degenerate support vectors z_j = gamma u + p_j + c_j, c_j in span V (arbitrary), p_j a
        face of the second level: p_j = gamma2 e + r_j, sum beta_j r_j = 0 (beta > 0). They lie ON the
        margin (<w_hat, z_j> = 1) but w_hat needs none of them: their dual is 0 in every dual solution
        (:func:`solvers.svm.degenerate_face` certifies this);
      * n_off degenerate margin points off the second-level face: <w_hat, z> = 1, <e, z>/gamma2 >= 1 + delta;
      * n_non_sv points off the margin: <w_hat, z> >= 1 + delta.
    P (the projection onto the orthogonal complement of the active support vectors' span) maps the
    degenerate points to gamma2 e + r_j (+ rest components for the off-face ones), whose hard-margin
    SVM is w_tilde = e / gamma2: the coefficient of log log t in w(t) (see
    theorems.families.separable.degenerate). All points are scaled to sigma_max(X) = 1.
    """
    if not (k >= 1 and k2 >= 1 and k + k2 <= d):
        raise ValueError(f"need k >= 1, k2 >= 1, k + k2 <= d (got k={k}, k2={k2}, d={d})")
    Q = np.linalg.qr(rng.standard_normal((d, d)))[0]
    u, V, e, R, rest = Q[:, 0], Q[:, 1:k], Q[:, k], Q[:, k + 1:k + k2], Q[:, k + k2:]
    alpha, beta = _dual_weights(rng, k), _dual_weights(rng, k2)
    active = gamma * u + _balanced_offsets(V, alpha, gamma * np.sqrt(k) * rng.uniform(1.0, 2.0, size=max(k - 1, 1)))
    level2 = gamma2 * e + _balanced_offsets(R, beta, gamma2 * np.sqrt(k2) * rng.uniform(1.0, 2.0, size=max(k2 - 1, 1)))
    c = gamma * rng.standard_normal((k2, k - 1)) @ V.T if k > 1 else np.zeros((k2, d))
    degenerate = gamma * u[None, :] + level2 + c
    pts = [active, degenerate]
    perp2 = np.hstack([R, rest])  # range(P) orthogonal to e
    if n_off:
        off = (gamma * u[None, :] + (gamma2 * (1 + delta_min + rng.exponential(0.5, n_off)))[:, None] * e[None, :])
        if perp2.shape[1]:
            off = off + gamma2 * rng.standard_normal((n_off, perp2.shape[1])) @ perp2.T
        if k > 1:
            off = off + gamma * rng.standard_normal((n_off, k - 1)) @ V.T
        pts.append(off)
    if n_non_sv:
        P_u = np.eye(d) - np.outer(u, u)
        far = ((gamma * (1 + delta_min + rng.exponential(0.5, n_non_sv)))[:, None] * u[None, :]
               + gamma * rng.standard_normal((n_non_sv, d)) @ P_u)
        pts.append(far)
    Zs = np.vstack(pts)
    m = len(Zs)
    kind = np.r_[np.zeros(k), np.ones(k2), np.full(n_off, 2), np.full(n_non_sv, 3)]
    y = rng.choice([-1.0, 1.0], size=m)
    y[0], y[-1] = 1.0, -1.0
    perm = rng.permutation(m)
    scale = float(np.linalg.norm(Zs, 2))
    X = (y[:, None] * Zs)[perm] / scale
    kind = kind[perm]
    return X, y[perm], u * scale / gamma, e * scale / gamma2, np.flatnonzero(kind == 0), np.flatnonzero((kind == 1) | (kind == 2))


@st.composite
def degenerate_separable_instances(draw, d_range=(2, 5)):
    """A dict with X, y, w0: separable data with k active support vectors, k2 >= 1 degenerate
    support vectors forming a non-degenerate second-level face, up to 2 further margin points off
    that face and up to 3 points off the margin (:func:`degenerate_separable_data`)."""
    d = draw(st.integers(*d_range))
    k = draw(st.integers(1, d - 1))
    k2 = draw(st.integers(1, d - k))
    n_off = draw(st.integers(0, 2))
    n_non_sv = draw(st.integers(0, 3))
    gamma, gamma2 = draw(log_uniform(0.3, 1.0)), draw(log_uniform(0.3, 1.0))
    w0_kind = draw(st.sampled_from(["zero", "gaussian", "adversarial"]))
    rng = np.random.default_rng(draw(seeds()))
    X, y, w_hat, w_tilde, _, _ = degenerate_separable_data(rng, d, k, k2, n_off, n_non_sv, gamma, gamma2)
    w0 = {"zero": np.zeros(d), "gaussian": rng.standard_normal(d) / np.linalg.norm(X, 2),
          # against both levels: every margin starts negative, the second level pointing away too
          "adversarial": -0.5 * w_hat / np.linalg.norm(w_hat) ** 2 - 0.5 * w_tilde / np.linalg.norm(w_tilde) ** 2}[w0_kind]
    return {"X": X, "y": y, "w0": w0}
