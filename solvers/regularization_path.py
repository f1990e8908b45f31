"""The margin-constrained projection that certifies GD's regularization-path property.

P(w0, b) = argmin ||w - w0||_2 s.t. Z w >= b (Z rows y_n x_n). For GD on a linear model with the exp
or logistic loss, w_t - w0 = sum_n c_n z_n with c_n = eta sum_{s<t} (-l'(z_n . w_s)) > 0, so w_t
satisfies the KKT conditions of P(w0, Z w_t) with multipliers c (all constraints active): w_t =
P(w0, Z w_t) exactly (derived in theorems.families.deeper.regularization_path).

Two routes: Lawson & Hanson's least-distance programming (one NNLS: min ||u|| s.t. Z u >= h,
h = b - Z w0, via E = [Z^T; h^T], f = e_{d+1}), and the least-squares projection onto its active
constraints (the KKT system solved directly). Certificate (relative):
feasibility, dual feasibility, complementarity, stationarity ||w - w0 - Z^T lam|| and the routes'
disagreement.
"""
from __future__ import annotations

import numpy as np
import scipy.optimize

from .certificate import Certificate

EPS = np.finfo(float).eps


def _ldp(Z: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m, d = Z.shape
    E = np.vstack([Z.T, h[None, :]])
    f = np.zeros(d + 1)
    f[-1] = 1.0
    v, _ = scipy.optimize.nnls(E, f, maxiter=50 * (m + d + 1))
    r = E @ v - f
    if abs(r[-1]) <= 1e-14:
        raise RuntimeError("LDP: the constraints are infeasible")
    u = -r[:d] / r[-1]
    lam = v / (-r[-1])
    return u, lam


def margin_projection(X: np.ndarray, y: np.ndarray, w0: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """(w, lam, certificate) for argmin ||w - w0|| s.t. y_n <w, x_n> >= b_n."""
    Z = np.asarray(y, float)[:, None] * np.asarray(X, float)
    w0 = np.asarray(w0, float)
    b = np.asarray(b, float)
    h = b - Z @ w0
    try:
        u, lam = _ldp(Z, h)
    except RuntimeError as e:
        nan = np.full(len(w0), np.nan)
        return nan, np.full(len(b), np.nan), Certificate(f"margin projection: {e}", {"solver": np.inf}, 1e-10)
    w = w0 + u
    # refine the multipliers on the active set (NNLS on the stationarity equation)
    scale = max(float(np.linalg.norm(u)), 1e-300)
    act = np.flatnonzero(Z @ w - b <= 1e-9 * (1.0 + np.abs(b)))
    if len(act):
        la, _ = scipy.optimize.nnls(Z[act].T, u)
        lam = np.zeros(len(b))
        lam[act] = la
    # second route: the equality-constrained projection onto the LDP's active constraints (min-norm
    # solution of Z_A (w - w0) = b_A - Z_A w0 by a least-squares solve, independent of the NNLS)
    if len(act):
        w2 = w0 + np.linalg.lstsq(Z[act], b[act] - Z[act] @ w0, rcond=None)[0]
    else:
        w2 = w0.copy()
    lmax = max(float(np.max(np.abs(lam))), 1e-300)
    bscale = 1.0 + float(np.max(np.abs(b)))
    res = {
        "feasibility": float(max(0.0, np.max(b - Z @ w))) / bscale,
        "dual_feasibility": float(max(0.0, -lam.min())) / lmax,
        "complementarity": float(np.max(np.abs(lam * (Z @ w - b)))) / (lmax * bscale),
        "stationarity": float(np.linalg.norm(u - Z.T @ lam)) / scale,
        "route_disagreement": float(np.linalg.norm(w - w2)) / max(scale, float(np.linalg.norm(w))),
    }
    # conditioning of the active constraints on their range (with more active constraints than d the
    # Gram matrix is singular, the multipliers non-unique, but w is unique): nonzero singular values
    sv = np.linalg.svd(Z[act], compute_uv=False) if len(act) else np.ones(1)
    sv = sv[sv > sv.max() * max(Z.shape) * EPS]
    kappa = float(sv[0] / sv[-1]) ** 2
    tol = max(1e-11, 100.0 * max(Z.shape) * kappa * EPS)
    return w, lam, Certificate("margin projection argmin ||w - w0|| s.t. Zw >= b (LDP/NNLS vs the active-set least-squares solve)", res, tol)


__all__ = ["margin_projection"]


def l1_margin_projection(X: np.ndarray, y: np.ndarray, w0: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """argmin ||w - w0||_1 s.t. y_n <w, x_n> >= b_n (an LP by HiGHS; a mutant's statement)."""
    Z = np.asarray(y, float)[:, None] * np.asarray(X, float)
    d = Z.shape[1]
    h = np.asarray(b, float) - Z @ np.asarray(w0, float)
    res = scipy.optimize.linprog(np.ones(2 * d), A_ub=-np.hstack([Z, -Z]), b_ub=-h, bounds=(0, None), method="highs")
    if res.status != 0:
        return np.full(d, np.nan), np.full(len(h), np.nan), Certificate(f"l1 projection: {res.message}", {"solver": np.inf}, 1e-8)
    return np.asarray(w0, float) + res.x[:d] - res.x[d:], -res.ineqlin.marginals, Certificate("l1 margin projection (HiGHS)", {"status": 0.0}, 1e-8)


__all__ += ["l1_margin_projection"]
