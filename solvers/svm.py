"""Max-margin separators of linearly separable data, each with an optimality certificate.

hard_margin_svm: w_hat = argmin ||w||_2 s.t. y_i <w, x_i> >= 1 (Soudry et al. 2018, Thm 3; notes
001 "Implicit Bias in Logistic Regression", 002 "Theorem 3", 003). Two independent routes:

* primal QP by cvxpy/Clarabel (dual multipliers from the constraint);
* Lawson & Hanson's least-distance programming: one non-negative least-squares problem (an exact
  active-set method, :func:`nnls_checked`) whose solution gives the multipliers a (Z = diag(y) X).

Each route's support set S = {i : a_i > 0} is then polished exactly: w = the min-norm solution of
Z_S w = 1 and a_S >= 0 with Z_S^T a_S = w by NNLS (the KKT system restricted to the active
constraints; exact zeros for degenerate support vectors). Certificate (all relative): primal
feasibility max(0, 1 - y_i <w, x_i>), dual feasibility max(0, -a_i), complementarity
max a_i |y_i <w, x_i> - 1|, stationarity ||w - sum_i a_i y_i x_i||, duality gap
|1/2||w||^2 - (1^T a - 1/2 ||Z^T a||^2)|, the disagreement of the two routes, and the KKT
violation of the LDP route's NNLS solution.

Every NNLS here is checked against its own KKT conditions (:func:`nnls_checked`): SciPy's NNLS
(SciPy >= 1.15; seen with 1.17.1) can stop at a point that is not the minimizer and report a
false residual norm (SciPy issue 25389), and degenerate data trigger it: a zero-dual margin
point's column has an NNLS gradient that is exactly 0 at the optimum, i.e. round-off (+-1e-17),
the case of a column let in and then rejected as linearly dependent whose handling SciPy pull
request 26180 repairs.
On the LDP matrix [Z^T; 1^T] of data drawn like the degenerate strategy's this happened in 7 of
5000 data sets (relative KKT violation 1e-4 to 6e-2; the routes then disagreed by 0.4 to 0.7 ||w||);
the fallback (:func:`lawson_hanson`) admits a column only if its gradient exceeds round-off.

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
ZERO_DUAL = 1e-11  # relative size below which a polished multiplier is round-off on a zero dual


def signed_data(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Z = diag(y) X: rows y_i x_i, so the margins are Z w."""
    return np.asarray(y, float)[:, None] * np.asarray(X, float)


def nnls_kkt_violation(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> float:
    """Relative KKT violation of x for argmin_{x >= 0} ||A x - b||: with g = A^T (b - A x), the
    optimality conditions are x >= 0, g_i = 0 where x_i > 0 and g_i <= 0 where x_i = 0; returns the
    largest violation over ||A||_2 (||b|| + ||A||_2 ||x||), the size of g's round-off."""
    g = A.T @ (b - A @ x)
    nA = float(np.linalg.norm(A, 2)) if A.size else 0.0
    scale = max(nA * (float(np.linalg.norm(b)) + nA * float(np.linalg.norm(x))), np.finfo(float).tiny)
    pos = x > 0
    viol = max(float(np.max(np.abs(g[pos]), initial=0.0)), float(np.max(g[~pos], initial=0.0)),
               float(np.max(-x, initial=0.0)) * nA**2)
    return viol / scale


def _nnls_tol(A: np.ndarray) -> float:
    """Round-off level of the relative KKT violation (:func:`nnls_kkt_violation`) of an exact NNLS solution."""
    return 100.0 * max(A.shape) * EPS


def lawson_hanson(A: np.ndarray, b: np.ndarray, tol: float | None = None) -> np.ndarray:
    """argmin_{x >= 0} ||A x - b|| by Lawson & Hanson's active-set algorithm (Solving Least Squares
    Problems, 1974, ch. 23, algorithm NNLS), with round-off-aware entering: column j joins the
    passive set P only if its gradient g_j = <a_j, b - A x> exceeds ``tol`` x ||A||_2 (||b|| + ||A||_2 ||x||)
    (default: :func:`_nnls_tol`), and is rejected (until x moves) if the least-squares solution on
    P gives it no positive coefficient (numerically dependent on P). A column whose gradient is 0 at
    the optimum (a zero dual on the margin) thus never enters on round-off. The result is checked by
    the caller (:func:`nnls_checked`)."""
    m, n = A.shape
    tol = _nnls_tol(A) if tol is None else tol
    nA = float(np.linalg.norm(A, 2))
    x = np.zeros(n)
    P = np.zeros(n, bool)
    rejected = np.zeros(n, bool)
    for _ in range(10 * (n + 1)):
        g = A.T @ (b - A @ x)
        scale = nA * (float(np.linalg.norm(b)) + nA * float(np.linalg.norm(x)))
        cand = ~P & ~rejected & (g > tol * scale)
        if not np.any(cand):
            break
        j = int(np.argmax(np.where(cand, g, -np.inf)))
        P[j] = True
        first = True
        while True:
            z = np.zeros(n)
            z[P] = np.linalg.lstsq(A[:, P], b, rcond=None)[0]
            if first and z[j] <= 0:  # j is (numerically) in the span of P: reject it for now
                P[j], rejected[j] = False, True
                break
            first = False
            if np.all(z[P] > 0):
                x, rejected[:] = z, False
                break
            Q = np.flatnonzero(P & (z <= 0))  # step back to the boundary: the first of them to reach 0 leaves P
            ratios = x[Q] / (x[Q] - z[Q])
            x = x + float(np.min(ratios)) * (z - x)
            x[Q[np.argmin(ratios)]] = 0.0  # exactly (round-off could leave it at +1e-17: no progress)
            P &= x > 0
            x[~P] = 0.0
            rejected[:] = False
    return x


def nnls_checked(A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, float]:
    """(x, violation): argmin_{x >= 0} ||A x - b|| by SciPy's NNLS, its KKT conditions checked
    (:func:`nnls_kkt_violation`); if they fail (see the module docstring), by :func:`lawson_hanson`.
    The point with the smaller violation is returned with that violation."""
    A, b = np.asarray(A, float), np.asarray(b, float)
    try:
        x, _ = scipy.optimize.nnls(A, b, maxiter=50 * (sum(A.shape) + 1))
        v = nnls_kkt_violation(A, b, x)
    except RuntimeError:  # iteration limit
        x, v = np.zeros(A.shape[1]), np.inf
    if v <= _nnls_tol(A):
        return x, v
    x2 = lawson_hanson(A, b)
    v2 = nnls_kkt_violation(A, b, x2)
    return (x2, v2) if v2 < v else (x, v)


def _polish(Z: np.ndarray, a: np.ndarray, rel: float = 1e-6) -> np.ndarray | None:
    """Exact KKT point on the candidate support S = {a_i > rel max a}; None if S is wrong.

    Primal: the min-norm solution of Z_S w = 1 (unique). Dual: a_S >= 0 with Z_S^T a_S = w by
    non-negative least squares. On degenerate data (margin points whose dual is 0 in every dual
    solution, which an interior-point solver reports as small positive multipliers; several
    margin points may even be linearly dependent) NNLS returns exact zeros there, where solving
    K_SS a_S = 1 would give round-off-signed or non-unique multipliers. Checked by the caller's
    KKT residuals.
    """
    if not np.all(np.isfinite(a)) or a.max() <= 0:
        return None
    S = np.flatnonzero(a > rel * a.max())
    while True:
        ZS = Z[S]
        w = np.linalg.lstsq(ZS, np.ones(len(S)), rcond=None)[0]
        if np.min(Z @ w) < 1 - 1e-9:  # a dropped constraint is violated: the support was wrong
            return None
        aS, _ = nnls_checked(ZS.T, w)
        if np.linalg.norm(ZS.T @ aS - w) <= 1e-9 * np.linalg.norm(w):
            break
        # w is not in the cone of Z_S: S holds a point just above the margin (an interior-point dual of
        # ~1e-5 on a point 1e-9 off it); NNLS's support of w is strictly smaller -- polish on it
        keep = aS > ZERO_DUAL * max(float(aS.max()), 1e-300)
        if keep.all() or not keep.any():
            return None
        S = S[keep]
    out = np.zeros_like(a)
    out[S] = np.where(aS > ZERO_DUAL * aS.max(), aS, 0.0)  # NNLS round-off on a zero dual
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


def _svm_ldp_nnls(Z: np.ndarray) -> tuple[np.ndarray, float]:
    """Dual multipliers by Lawson & Hanson's least-distance programming (Solving Least Squares
    Problems, 1974, ch. 23): min ||w|| s.t. Z w >= 1 is an LDP; with E = [Z^T; 1^T] and
    f = (0, ..., 0, 1), u = argmin_{u >= 0} ||E u - f|| (:func:`nnls_checked`, a finite active-set method) gives
    w = Z^T u / (1 - 1^T u) and multipliers a = u / (1 - 1^T u); 1^T u = 1 means infeasible.
    Exact up to round-off also when Z Z^T is singular (e.g. collinear projected points), where a
    first-order method on the dual stalls. E is rank-deficient on degenerate data (the points
    (z_i, 1) on the margin span only d dimensions). Returns (a, the NNLS KKT violation)."""
    m, d = Z.shape
    E = np.vstack([Z.T, np.ones((1, m))])
    f = np.zeros(d + 1)
    f[-1] = 1.0
    u, viol = nnls_checked(E, f)
    denom = 1.0 - u.sum()
    if denom <= 1e-12:
        raise RuntimeError("LDP: the constraints are infeasible (data not separable)")
    return u / denom, viol


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
    try:
        a2_raw, ldp_viol = _svm_ldp_nnls(Z)
    except RuntimeError:
        a2_raw, ldp_viol = np.full(Z.shape[0], np.nan), np.inf
    a1 = _polish(Z, a1_raw)
    a2 = _polish(Z, a2_raw)
    a1 = a1_raw if a1 is None else a1
    a2 = a2_raw if a2 is None else a2
    w1, w2 = Z.T @ a1, Z.T @ a2
    res = svm_kkt_residuals(Z, w1, a1)
    res["route_disagreement"] = float(np.linalg.norm(w1 - w2)) / max(float(np.linalg.norm(w1)), 1e-300)
    res["support_sets_differ"] = float(not np.array_equal(a1 > 0, a2 > 0))
    res["ldp_nnls_kkt"] = ldp_viol
    kappa = float(np.linalg.cond(Z[a1 > 0] @ Z[a1 > 0].T)) if np.any(a1 > 0) else np.inf
    tol = max(1e-9, 100.0 * max(Z.shape) * kappa * EPS)
    cert = Certificate("hard-margin SVM KKT (cvxpy/Clarabel primal vs LDP/NNLS active set, polished on the support)", res, tol)
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


# ---- degenerate data: the second-level face (Soudry et al.'s log log t case) -------------------

def degenerate_face(X: np.ndarray, y: np.ndarray, margin_tol: float = 1e-8):
    """The second level of the max-margin problem, for data whose margin face is degenerate.

    With w_hat, a the certified hard-margin SVM (:func:`hard_margin_svm_dual`): the active support
    vectors A = {a_i > 0}, the degenerate ones D = {|<w_hat, z_i> - 1| <= margin_tol, a_i = 0}, P
    the orthogonal projection onto span{z_i : i in A}^perp, and
        w_tilde = argmin ||w||_2 s.t. <w, P z_j> >= 1 for j in D
    (a hard-margin SVM of the projected degenerate points, labels +1; w_tilde lies in range(P)).
    Its feasibility certifies that A is the support of EVERY dual solution of the first level
    (any dual a' has 0 = <w_hat, w_tilde> = sum_D a'_j <z_j, w_tilde> >= sum_D a'_j), i.e. that D
    is genuinely degenerate. w_tilde is the coefficient of log log t in the flow (derived in
    theorems/families/separable/degenerate.py).

    If the projected points cannot be separated (the second-level SVM is infeasible), D is not
    degenerate in every dual solution (the dual is not unique): ``second_level_feasible`` is False
    and w_tilde is NaN. Returns a dict: w_hat, w_hat_ld (w_hat refined in long double, :func:`refine_long_double`), a,
    active, degenerate (index arrays), P, w_tilde, b (the second-level duals, over D), Y = P z_D
    (rows), delta2 (how far the off-face degenerate points are above the
    second-level margin; inf if none), lam2 (smallest non-zero eigenvalue of sum_j b_j Y_j Y_j^T)
    and the certificates (first level, second level). Without degenerate points w_tilde = 0 and
    the second-level certificate is empty.
    """
    w_hat, a, cert1 = hard_margin_svm_dual(X, y)
    Z = signed_data(X, y)
    d = Z.shape[1]
    out = {"w_hat": w_hat, "a": a, "certificates": [cert1]}
    if not np.all(np.isfinite(w_hat)):
        return {**out, "active": np.array([], int), "degenerate": np.array([], int), "w_tilde": np.full(d, np.nan)}
    z = Z @ w_hat
    active = np.flatnonzero(a > 0)
    degenerate = np.flatnonzero((np.abs(z - 1.0) <= margin_tol) & ~(a > 0))
    U, sv, _ = np.linalg.svd(Z[active].T, full_matrices=False)
    U = U[:, sv > sv.max() * max(d, len(active)) * EPS]
    P = np.eye(d) - U @ U.T
    w_ld, ld_res = refine_long_double(Z[active], w_hat)
    out.update(active=active, degenerate=degenerate, P=P, w_hat_ld=w_ld,
               margin_separation=float(np.min(np.abs(z[np.abs(z - 1.0) > margin_tol] - 1.0), initial=np.inf)))
    if len(degenerate) == 0:
        return {**out, "w_tilde": np.zeros(d), "b": np.zeros(0), "Y": np.zeros((0, d)), "delta2": np.inf, "lam2": np.inf,
                "second_level_feasible": True}
    Y = Z[degenerate] @ P
    w_t, b, cert2 = hard_margin_svm_dual(Y, np.ones(len(degenerate)))
    if not np.all(np.isfinite(w_t)):
        # the projected points are not separable from 0: some dual solution of the first level puts
        # weight on them (e.g. a margin point between two others on a line), so they are not
        # degenerate in every dual solution; rho(t) stays bounded (the general-position regime)
        return {**out, "w_tilde": np.full(d, np.nan), "b": np.full(len(degenerate), np.nan), "Y": Y, "delta2": np.inf,
                "lam2": 0.0, "second_level_feasible": False}
    cert2 = Certificate("second-level SVM of the projected degenerate support vectors: " + cert2.name,
                        {**cert2.residuals,
                         "w_tilde_in_range_P": float(np.linalg.norm(w_t - P @ w_t)) / max(float(np.linalg.norm(w_t)), 1e-300),
                         "w_hat_long_double_residual": ld_res},
                        cert2.tolerance)
    y2 = Y @ w_t
    on = b > 0
    delta2 = float(np.min(y2[~on] - 1.0)) if np.any(~on) else np.inf
    ev = np.linalg.eigvalsh((Y[on].T * b[on]) @ Y[on]) if np.any(on) else np.zeros(1)
    lam2 = float(ev[ev > 1e-9 * max(ev.max(), 1e-300)].min()) if ev.max() > 0 else 0.0
    out["certificates"].append(cert2)
    return {**out, "w_tilde": w_t, "b": b, "Y": Y, "delta2": delta2, "lam2": lam2, "second_level_feasible": True}


def refine_long_double(ZA: np.ndarray, w: np.ndarray, sweeps: int = 3) -> tuple[np.ndarray, float]:
    """w_hat to long-double accuracy: w = Z_A^T c with K c = 1, K = Z_A Z_A^T (the min-norm solution of
    Z_A w = 1, i.e. the SVM on its active set), c by iterative refinement (residual in np.longdouble,
    correction by a float64 solve). A flow followed to log(1/L) = s drifts off a float64 w_hat like
    s x 1e-16 x ||w_hat||, which at s = 1e10 shows in the O(1) part of w; the long-double axis moves
    that to s x 1e-19. Returns (w as np.longdouble, max |Z_A w - 1| evaluated in long double)."""
    LD = np.longdouble
    ZAl = ZA.astype(LD)
    K = ZA @ ZA.T
    c = np.linalg.lstsq(K, np.ones(len(ZA)), rcond=None)[0].astype(LD)
    for _ in range(sweeps):
        res = LD(1) - ZAl @ (ZAl.T @ c)
        c = c + np.linalg.lstsq(K, res.astype(float), rcond=None)[0].astype(LD)
    wl = ZAl.T @ c
    return wl, float(np.max(np.abs(LD(1) - ZAl @ wl)))
