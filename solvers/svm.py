"""Max-margin separators of linearly separable data, each with an optimality certificate.

hard_margin_svm: w_hat = argmin ||w||_2 s.t. y_i <w, x_i> >= 1 (Soudry et al. 2018, Thm 3; notes
001 "Implicit Bias in Logistic Regression", 002 "Theorem 3", 003). Two independent routes:

* primal QP by cvxpy/Clarabel (dual multipliers from the constraint);
* the dual  min_a 1/2 a^T K a - 1^T a, a >= 0, K = Z Z^T (Z = diag(y) X), by scipy L-BFGS-B.

Each route's support set S = {i : a_i > 0} is then polished exactly: K_SS a_S = 1, w = Z_S^T a_S
(the KKT system restricted to the active constraints). Certificate (all relative): primal
feasibility max(0, 1 - y_i <w, x_i>), dual feasibility max(0, -a_i), complementarity
max a_i |y_i <w, x_i> - 1|, stationarity ||w - sum_i a_i y_i x_i||, duality gap
|1/2||w||^2 - (1^T a - 1/2 ||Z^T a||^2)|, and the disagreement of the two routes.

lp_max_margin: argmin ||w||_p s.t. y_i <w, x_i> >= 1 for p in {1, inf} (the limit of steepest
descent w.r.t. ||.||_p; Gunasekar et al. 2018a, Thm 5; notes 001 "Steepest Descent w.r.t. ||w||").
Linear programs solved by scipy HiGHS and, independently, by cvxpy/Clarabel; certified by the
HiGHS duality gap, primal feasibility and the disagreement of the two routes (which also flags
a non-unique LP solution, for which "the" max-margin direction is not defined).
"""
from __future__ import annotations

import cvxpy as cp
import numpy as np
import scipy.optimize

from .certificate import Certificate

EPS = np.finfo(float).eps


def signed_data(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Z = diag(y) X: rows y_i x_i, so the margins are Z w."""
    return np.asarray(y, float)[:, None] * np.asarray(X, float)


def _polish(Z: np.ndarray, a: np.ndarray, rel: float = 1e-6) -> np.ndarray | None:
    """Solve the KKT system on the support {a_i > rel max a}: K_SS a_S = 1; None if it fails."""
    if not np.all(np.isfinite(a)) or a.max() <= 0:
        return None
    S = np.flatnonzero(a > rel * a.max())
    ZS = Z[S]
    aS = np.linalg.lstsq(ZS @ ZS.T, np.ones(len(S)), rcond=None)[0]
    if np.any(aS <= 0):
        return None
    out = np.zeros_like(a)
    out[S] = aS
    w = Z.T @ out
    if np.min(Z @ w) < 1 - 1e-9:  # a dropped constraint is violated: the support was wrong
        return None
    return out


def _svm_cvxpy(Z: np.ndarray) -> np.ndarray:
    m, d = Z.shape
    w = cp.Variable(d)
    cons = [Z @ w >= 1]
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w)), cons)
    prob.solve(solver=cp.CLARABEL)
    if prob.status not in ("optimal", "optimal_inaccurate") or cons[0].dual_value is None:
        raise RuntimeError(f"Clarabel: {prob.status} (data not separable?)")
    return np.maximum(np.asarray(cons[0].dual_value, float), 0.0)


def _svm_dual_scipy(Z: np.ndarray) -> np.ndarray:
    K = Z @ Z.T
    m = K.shape[0]
    res = scipy.optimize.minimize(
        lambda a: (0.5 * a @ K @ a - a.sum(), K @ a - 1.0),
        np.full(m, 1.0 / max(np.trace(K), 1e-300)),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)] * m,
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 20000},
    )
    return np.maximum(res.x, 0.0)


def svm_kkt_residuals(Z: np.ndarray, w: np.ndarray, a: np.ndarray) -> dict[str, float]:
    """Relative KKT residuals of (w, a) for min 1/2||w||^2 s.t. Z w >= 1."""
    z = Z @ w
    amax = max(float(np.max(np.abs(a))), 1e-300)
    nw = max(float(np.linalg.norm(w)), 1e-300)
    primal_obj = 0.5 * nw**2
    dual_obj = float(a.sum()) - 0.5 * float(np.linalg.norm(Z.T @ a)) ** 2
    return {
        "primal_feasibility": float(max(0.0, np.max(1.0 - z))),
        "dual_feasibility": float(max(0.0, -np.min(a))) / amax,
        "complementarity": float(np.max(np.abs(a * (z - 1.0)))) / amax,
        "stationarity": float(np.linalg.norm(w - Z.T @ a)) / nw,
        "duality_gap": abs(primal_obj - dual_obj) / primal_obj,
    }


def hard_margin_svm(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, Certificate]:
    """w_hat = argmin ||w||_2 s.t. y_i <w, x_i> >= 1, certified (see module docstring).

    Returns (w_hat, certificate); the dual multipliers are in ``hard_margin_svm_dual``.
    """
    w, a, cert = hard_margin_svm_dual(X, y)
    return w, cert


def hard_margin_svm_dual(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """(w_hat, a, certificate) with w_hat = sum_i a_i y_i x_i."""
    Z = signed_data(X, y)
    try:
        a1_raw = _svm_cvxpy(Z)
    except Exception as e:  # noqa: BLE001 - any solver failure makes the reference uncertified
        nan = np.full(Z.shape[1], np.nan)
        return nan, np.full(Z.shape[0], np.nan), Certificate(f"hard-margin SVM: cvxpy failed ({e})", {"solver": np.inf}, 1e-9)
    a2_raw = _svm_dual_scipy(Z)
    a1 = _polish(Z, a1_raw)
    a2 = _polish(Z, a2_raw)
    a1 = a1_raw if a1 is None else a1
    a2 = a2_raw if a2 is None else a2
    w1, w2 = Z.T @ a1, Z.T @ a2
    res = svm_kkt_residuals(Z, w1, a1)
    res["route_disagreement"] = float(np.linalg.norm(w1 - w2)) / max(float(np.linalg.norm(w1)), 1e-300)
    res["support_sets_differ"] = float(not np.array_equal(a1 > 0, a2 > 0))
    kappa = float(np.linalg.cond(Z[a1 > 0] @ Z[a1 > 0].T)) if np.any(a1 > 0) else np.inf
    tol = max(1e-9, 100.0 * max(Z.shape) * kappa * EPS)
    cert = Certificate("hard-margin SVM KKT (cvxpy/Clarabel primal vs scipy dual, polished on the support)", res, tol)
    return w1, a1, cert


# ---- l1 / l_inf max margin (linear programs) ---------------------------------------------------

def _lp_highs(Z: np.ndarray, p: float) -> tuple[np.ndarray, float, float]:
    """(w, primal objective, duality gap) of argmin ||w||_p s.t. Zw >= 1 by HiGHS."""
    m, d = Z.shape
    if p == 1:  # w = u - v, u, v >= 0: min 1^T(u + v) s.t. -Z(u - v) <= -1
        c = np.ones(2 * d)
        A = -np.hstack([Z, -Z])
        res = scipy.optimize.linprog(c, A_ub=A, b_ub=-np.ones(m), bounds=(0, None), method="highs")
        if res.status != 0:
            raise RuntimeError(f"HiGHS: {res.message}")
        w = res.x[:d] - res.x[d:]
        dual = float(res.ineqlin.marginals @ (-np.ones(m)))
    elif p == np.inf:  # variables (w, t): min t s.t. w_j - t <= 0, -w_j - t <= 0, -Zw <= -1
        c = np.r_[np.zeros(d), 1.0]
        I = np.eye(d)
        A = np.block([[I, -np.ones((d, 1))], [-I, -np.ones((d, 1))], [-Z, np.zeros((m, 1))]])
        b = np.r_[np.zeros(2 * d), -np.ones(m)]
        res = scipy.optimize.linprog(c, A_ub=A, b_ub=b, bounds=[(None, None)] * d + [(0, None)], method="highs")
        if res.status != 0:
            raise RuntimeError(f"HiGHS: {res.message}")
        w = res.x[:d]
        dual = float(res.ineqlin.marginals @ b)
    else:
        raise ValueError("p must be 1 or inf")
    return w, float(res.fun), abs(float(res.fun) - dual)


def _lp_cvxpy(Z: np.ndarray, p: float) -> np.ndarray:
    w = cp.Variable(Z.shape[1])
    prob = cp.Problem(cp.Minimize(cp.norm(w, 1 if p == 1 else "inf")), [Z @ w >= 1])
    # tighter than Clarabel's 1e-8 defaults: near-degenerate LPs otherwise differ from HiGHS's vertex
    # by ~sqrt(tolerance) and the cross-check cannot certify a unique solution
    prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12, tol_ktratio=1e-10)
    if prob.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"Clarabel: {prob.status}")
    return np.asarray(w.value, float)


def lp_max_margin(X: np.ndarray, y: np.ndarray, p: float) -> tuple[np.ndarray, Certificate]:
    """argmin ||w||_p s.t. y_i <w, x_i> >= 1, p in {1, inf}, certified (see module docstring)."""
    Z = signed_data(X, y)
    name = f"l{'1' if p == 1 else 'inf'} max margin LP (HiGHS vs cvxpy/Clarabel)"
    try:
        w, obj, gap = _lp_highs(Z, p)
        w2 = _lp_cvxpy(Z, p)
    except Exception as e:  # noqa: BLE001
        return np.full(Z.shape[1], np.nan), Certificate(f"{name}: solver failed ({e})", {"solver": np.inf}, 1e-6)
    norm = lambda v: float(np.linalg.norm(v, 1 if p == 1 else np.inf))  # noqa: E731
    res = {
        "duality_gap": gap / max(obj, 1e-300),
        "primal_feasibility": float(max(0.0, np.max(1.0 - Z @ w))),
        "route_disagreement": norm(w - w2) / max(norm(w), 1e-300),
    }
    # Clarabel (interior point) stops at ~1e-8 relative accuracy; a non-unique LP solution shows
    # up as an O(1) disagreement (the interior point lands mid-face, HiGHS on a vertex).
    return w, Certificate(name, res, 1e-6)


def svm_margin(X: np.ndarray, y: np.ndarray, w: np.ndarray, p: float = 2) -> float:
    """min_i y_i <w, x_i> / ||w||_p: the normalized margin of w."""
    return float(np.min(signed_data(X, y) @ w) / np.linalg.norm(w, p))
