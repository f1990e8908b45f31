"""Min-distance interpolants of an underdetermined linear system, with certificates.

min_norm_interpolant: w* = w0 + X^+ (y - X w0) = argmin ||w - w0||_2 s.t. Xw = y
(Gunasekar et al. 2018a Thm 1; notes 002, 003). KKT: Xw* = y and w* - w0 = X^T lambda, i.e.
w* - w0 in row(X). Computed by two independent routes (SVD least squares and a QR of X^T); the
certificate holds the primal residual, the null-space component of w* - w0 and the disagreement
of the two routes, all relative.

min_lp_distance_interpolant: argmin ||w - w0||_p s.t. Xw = y for p in {1, inf} by a linear program
(scipy HiGHS), certified by the LP's duality gap and primal residual. Used as wrong-norm mutants.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.optimize

from .certificate import Certificate

EPS = np.finfo(float).eps


def row_space_basis(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(V_row, V_null, singular values) from a full SVD of X."""
    U, s, Vt = np.linalg.svd(X, full_matrices=True)
    r = int(np.sum(s > s[0] * max(X.shape) * EPS)) if s.size else 0
    return Vt[:r].T, Vt[r:].T, s


def min_norm_interpolant(X: np.ndarray, y: np.ndarray, w0: np.ndarray) -> tuple[np.ndarray, Certificate]:
    """w* = w0 + X^+ (y - X w0) with a KKT certificate (see module docstring)."""
    r0 = y - X @ w0
    delta_svd = np.linalg.lstsq(X, r0, rcond=None)[0]
    Q, R = scipy.linalg.qr(X.T, mode="economic")  # X^T = QR, X = R^T Q^T; delta = Q R^{-T} r0
    delta_qr = Q @ scipy.linalg.solve_triangular(R, r0, trans="T")
    w = w0 + delta_svd
    _, Vn, s = row_space_basis(X)
    kappa = float(s[0] / s[-1])
    scale = max(float(np.linalg.norm(w)), float(np.linalg.norm(w0)), 1e-300)
    resid = float(np.linalg.norm(X @ w - y)) / (float(s[0]) * scale + float(np.linalg.norm(y)))
    null = float(np.linalg.norm(Vn.T @ delta_svd)) / scale
    agree = float(np.linalg.norm(delta_svd - delta_qr)) / scale
    # backward-stable routes: forward error ~ kappa * u (times a modest dimension factor)
    tol = 100.0 * max(X.shape) * kappa * EPS
    cert = Certificate(
        "min-norm KKT (Xw=y, w-w0 in row X, SVD vs QR)",
        {"primal_residual": resid, "null_space_component": null, "route_disagreement": agree},
        tol,
    )
    return w, cert


def min_lp_distance_interpolant(X: np.ndarray, y: np.ndarray, w0: np.ndarray, p: float) -> tuple[np.ndarray, Certificate]:
    """argmin ||w - w0||_p s.t. Xw = y for p = 1 or inf, as an LP solved by HiGHS."""
    m, d = X.shape
    b = y - X @ w0
    if p == 1:  # delta = u - v, u, v >= 0, min 1^T(u + v)
        c = np.ones(2 * d)
        A = np.hstack([X, -X])
        res = scipy.optimize.linprog(c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        delta = res.x[:d] - res.x[d:] if res.status == 0 else np.full(d, np.nan)
    elif p == np.inf:  # min t s.t. -t <= delta_j <= t
        c = np.r_[np.zeros(d), 1.0]
        A_ub = np.block([[np.eye(d), -np.ones((d, 1))], [-np.eye(d), -np.ones((d, 1))]])
        res = scipy.optimize.linprog(c, A_ub=A_ub, b_ub=np.zeros(2 * d), A_eq=np.hstack([X, np.zeros((m, 1))]),
                                     b_eq=b, bounds=[(None, None)] * d + [(0, None)], method="highs")
        delta = res.x[:d] if res.status == 0 else np.full(d, np.nan)
    else:
        raise ValueError("p must be 1 or inf")
    w = w0 + delta
    scale = max(float(np.linalg.norm(w)), 1e-300)
    # LP duality: with zero bounds / zero inequality right-hand sides, the dual objective is lambda^T b
    gap = abs(float(res.fun) - float(res.eqlin.marginals @ b)) if res.status == 0 else np.inf
    resid = float(np.linalg.norm(X @ w - y)) / (float(np.linalg.norm(X, 2)) * scale + float(np.linalg.norm(y)))
    return w, Certificate(f"l{'1' if p == 1 else 'inf'} LP (HiGHS): duality gap, primal residual",
                          {"duality_gap": gap / max(abs(float(res.fun)) if res.status == 0 else 1.0, 1e-300),
                           "primal_residual": resid}, 1e-7)
