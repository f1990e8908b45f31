"""Certificates of the max-margin separators, recomputed from the raw X, y and the answer alone.

* :func:`hard_margin_svm` -- w = argmin ||w||_2 s.t. y_i <w, x_i> >= 1 (Soudry et al. 2018, Thm 3).
  The signed points z_i = y_i x_i are formed here. KKT: w is optimal iff it is feasible and
  w = sum_A a_i z_i with a >= 0 on the near-active set A = {i : <z_i, w> <= 1 + ACTIVE};
  the multipliers a are recomputed by non-negative least squares on A (not taken from the solver).
  Residuals (relative): primal feasibility max(0, 1 - min_i <z_i, w>), stationarity
  ||w - Z_A^T a|| / ||w||, complementarity max_{a_i > 0} |<z_i, w> - 1|, duality gap
  |1/2 ||w||^2 - (1^T a - 1/2 ||Z^T a||^2)| / (1/2 ||w||^2).
* :func:`l1_max_margin`, :func:`linf_max_margin` -- w = argmin ||w||_p s.t. <z_i, w> >= 1, p in {1, inf}
  (Gunasekar et al. 2018a, Thm 5). LP duality: w is optimal iff it is feasible and some lambda >= 0 on
  the near-active set has Z^T lambda in the subdifferential of ||.||_p at w (p = 1: equal to sign(w_j)
  on the support, at most 1 in modulus off it; p = inf: zero off the coordinates where |w_j| = ||w||_inf,
  of sign sign(w_j) on them, unit l1 norm); then 1^T lambda = ||w||_p (zero duality gap). lambda is found
  by NNLS on the equality part; the inequality part and the gap are the residuals.
* :func:`degenerate_second_level` -- the two-level reference of degenerate data: w_hat certified as
  above, the active set A = {a_i > 0} and the zero-dual margin points D from the recomputed duals, P
  the projection off span{z_i : i in A} (QR), and w_tilde = argmin ||w|| s.t. <w, P z_j> >= 1 (j in D)
  certified like the SVM on the points P z_j, plus w_tilde in range(P).

NNLS: SciPy's NNLS (SciPy >= 1.15) can stop at a point that is not the minimizer (SciPy issue 25389;
it happens on degenerate data, where margin points with zero dual have a zero NNLS gradient at the
optimum). :func:`_nnls` checks the KKT conditions of its answer and otherwise also runs SciPy's BVLS
(Stark & Parker 1995), keeping the smaller residual. Any lambda >= 0 is sound evidence (the residuals
are recomputed from it); this only keeps the certificate from rejecting a right answer.

Tolerance: 100 max(m, d) kappa u, kappa the condition number of the active Gram matrix Z_A Z_A^T (a
backward-stable solve of a system of that conditioning has forward error ~ kappa u), at least 1e-10.
A 1e-6 relative error of the answer moves the margins, the stationarity residual or the duality gap
by ~1e-6 and is rejected up to kappa ~ 1e2 / max(m, d) x 1e8.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.optimize

from ..certificate import Certificate
from .common import EPS, arr

ACTIVE = 1e-9  # margins within this of 1 (relative) count as on the margin
TOL_FLOOR = 1e-10


def _nnls(A: np.ndarray, b: np.ndarray, maxiter: int) -> np.ndarray:
    """argmin_{x >= 0} ||A x - b||: SciPy's NNLS, checked by its KKT conditions (g = A^T (b - A x) zero on
    x > 0, non-positive on x = 0, to 100 max(A.shape) u of ||A|| (||b|| + ||A|| ||x||)); if they fail,
    SciPy's BVLS too, and the point with the smaller residual ||A x - b||."""
    try:
        x = scipy.optimize.nnls(A, b, maxiter=maxiter)[0]
    except RuntimeError:  # iteration limit
        x = np.zeros(A.shape[1])
    nA = float(np.linalg.norm(A, 2))
    g = A.T @ (b - A @ x)
    scale = nA * (float(np.linalg.norm(b)) + nA * float(np.linalg.norm(x)))
    viol = max(float(np.max(np.abs(g[x > 0]), initial=0.0)), float(np.max(g[x <= 0], initial=0.0)))
    if viol <= 100.0 * max(A.shape) * EPS * scale:
        return x
    x2 = np.maximum(scipy.optimize.lsq_linear(A, b, bounds=(0.0, np.inf), method="bvls").x, 0.0)
    return x2 if np.linalg.norm(A @ x2 - b) < np.linalg.norm(A @ x - b) else x


def _signed(raw) -> np.ndarray:
    X, y = arr(raw, "X"), arr(raw, "y")
    return y[:, None] * X


def _tolerance(ZA: np.ndarray, shape) -> float:
    if ZA.size == 0:
        return TOL_FLOOR
    s = np.linalg.svd(ZA, compute_uv=False)
    kappa = float((s[0] / s[-1]) ** 2) if s[-1] > 0 else np.inf
    return max(TOL_FLOOR, 100.0 * max(shape) * kappa * EPS)


def _svm_residuals(Z: np.ndarray, w: np.ndarray) -> tuple[dict[str, float], np.ndarray, float]:
    """KKT residuals of w for min 1/2||w||^2 s.t. Z w >= 1, duals by NNLS on the near-active set."""
    z = Z @ w
    nw = max(float(np.linalg.norm(w)), np.finfo(float).tiny)
    A = np.flatnonzero(z <= 1.0 + ACTIVE)
    a = np.zeros(len(Z))
    if len(A):
        a[A] = _nnls(Z[A].T, w, maxiter=50 * (len(A) + len(w)))
    pos = a > 0
    res = {
        "primal_feasibility": float(max(0.0, 1.0 - float(np.min(z)))),
        "stationarity": float(np.linalg.norm(w - Z.T @ a)) / nw,
        "complementarity": float(np.max(np.abs(z[pos] - 1.0), initial=0.0)),
        "duality_gap": abs(0.5 * nw**2 - (float(a.sum()) - 0.5 * float(np.linalg.norm(Z.T @ a)) ** 2)) / (0.5 * nw**2),
    }
    return res, a, _tolerance(Z[pos], Z.shape)


def hard_margin_svm(raw, reference) -> Certificate:
    """Independent KKT certificate of reference['w'] = argmin ||w|| s.t. y_i <w, x_i> >= 1."""
    Z = _signed(raw)
    w = np.asarray(reference["w"], dtype=float)
    res, _, tol = _svm_residuals(Z, w)
    return Certificate("independent: hard-margin SVM KKT from X, y (z_i = y_i x_i, duals by NNLS on the near-active set)",
                       res, tol)


def _lp_residuals(Z: np.ndarray, w: np.ndarray, p: float) -> dict[str, float]:
    z = Z @ w
    norm = float(np.linalg.norm(w, p))
    scale = max(norm, np.finfo(float).tiny)
    A = np.flatnonzero(z <= 1.0 + ACTIVE)
    ZA = Z[A]
    big = np.abs(w) >= scale * (1.0 - 1e-9) if p == np.inf else np.abs(w) > scale * 1e-9
    sgn = np.sign(w)
    if p == 1:  # Z_{A,J}^T lambda = sign(w_J); |Z_{A,J'}^T lambda| <= 1 off the support
        M, rhs = ZA[:, big].T, sgn[big]
    else:  # Z_{A,J'}^T lambda = 0 off the maximal coordinates; sum_J sign(w_j) (Z^T lambda)_j = 1
        M = np.vstack([ZA[:, ~big].T, (ZA[:, big] @ sgn[big])[None, :]])
        rhs = np.r_[np.zeros(int((~big).sum())), 1.0]
    lam = np.zeros(len(A))
    if len(A) and M.size:
        lam = _nnls(M, rhs, maxiter=50 * (len(A) + len(w) + 1))
    g = ZA.T @ lam
    if p == 1:
        dual_feas = float(np.max(np.abs(g[~big]) - 1.0, initial=0.0))
    else:
        dual_feas = float(max(0.0, -float(np.min(sgn[big] * g[big], initial=0.0))))
    return {
        "primal_feasibility": float(max(0.0, 1.0 - float(np.min(z)))),
        "stationarity": float(np.linalg.norm(M @ lam - rhs)) / max(float(np.linalg.norm(rhs)), 1.0),
        "dual_feasibility": max(0.0, dual_feas),
        "duality_gap": abs(float(lam.sum()) - norm) / scale,
    }


def _lp_certificate(raw, reference, p) -> Certificate:
    Z = _signed(raw)
    w = np.asarray(reference["w"], dtype=float)
    res = _lp_residuals(Z, w, p)
    A = Z[Z @ w <= 1.0 + ACTIVE]
    name = "l1" if p == 1 else "l_inf"
    return Certificate(f"independent: {name} max-margin LP dual certificate from X, y (lambda by NNLS on the near-active set)",
                       res, max(1e-9, _tolerance(A, Z.shape)))


def l1_max_margin(raw, reference) -> Certificate:
    """Independent LP-duality certificate of reference['w'] = argmin ||w||_1 s.t. y_i <w, x_i> >= 1."""
    return _lp_certificate(raw, reference, 1)


def linf_max_margin(raw, reference) -> Certificate:
    """Independent LP-duality certificate of reference['w'] = argmin ||w||_inf s.t. y_i <w, x_i> >= 1."""
    return _lp_certificate(raw, reference, np.inf)


def _projector_off(M: np.ndarray, d: int) -> np.ndarray:
    """I - Q Q^T, Q an orthonormal basis of the row span of M (pivoted QR of M^T)."""
    if M.size == 0:
        return np.eye(d)
    Q, R, _ = scipy.linalg.qr(M.T, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    r = int(np.sum(diag > diag[0] * max(M.shape) * EPS * 10)) if diag.size and diag[0] > 0 else 0
    Q = Q[:, :r]
    return np.eye(d) - Q @ Q.T


def degenerate_second_level(raw, reference) -> list[Certificate]:
    """Independent certificates of reference['w_hat'] (first level) and reference['w_tilde'] (the
    SVM of the zero-dual margin points projected off the active support vectors' span)."""
    Z = _signed(raw)
    w_hat = np.asarray(reference["w_hat"], dtype=float)
    w_t = np.asarray(reference["w_tilde"], dtype=float)
    res1, a, tol1 = _svm_residuals(Z, w_hat)
    first = Certificate("independent: first-level SVM KKT from X, y", res1, tol1)
    z = Z @ w_hat
    amax = float(a.max()) if a.size else 0.0
    active = a > 1e-9 * amax
    on = np.abs(z - 1.0) <= ACTIVE
    D = np.flatnonzero(on & ~active)
    P = _projector_off(Z[active], Z.shape[1])
    if len(D) == 0:
        return [first, Certificate("independent: second level (no zero-dual margin point)",
                                   {"w_tilde_not_zero": float(np.linalg.norm(w_t))}, TOL_FLOOR)]
    Y = Z[D] @ P
    res2, _, tol2 = _svm_residuals(Y, w_t)
    nwt = max(float(np.linalg.norm(w_t)), np.finfo(float).tiny)
    res2["outside_range_P"] = float(np.linalg.norm(w_t - P @ w_t)) / nwt
    return [first, Certificate("independent: second-level SVM of the projected zero-dual margin points P y_j x_j "
                               "(P recomputed by QR of the active support vectors)", res2, max(tol1, tol2))]


__all__ = ["hard_margin_svm", "l1_max_margin", "linf_max_margin", "degenerate_second_level"]
