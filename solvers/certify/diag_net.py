"""Independent certificates for the diagonal-network claims, recomputed from the raw instance.

Every function takes ``(raw, reference)``: ``raw`` is the untouched instance (X, y and the start:
``alpha``, or ``w_plus0``/``w_minus0``, or ``depth``/``alpha``), ``reference`` the answer the check
compared against. Nothing here calls the project's solvers or models (the inverse links, the
quartic, the l1 dual are re-derived below); ``theorems.audit`` enforces it.

* :func:`q_interpolant` -- argmin sum_j gamma_j q(beta_j/gamma_j) - c_j beta_j s.t. X beta = y,
  q(b) = 2 - sqrt(4 + b^2) + b asinh(b/2), gamma = |w+0 w-0|, c = log|w+0/w-0| (Woodworth et al.
  2020, Thm 1; gamma = alpha^2, c = 0 at the start alpha 1). The objective is strictly convex, so
  beta is the argmin iff X beta = y and its gradient asinh(beta/(2 gamma)) - c lies in row(X).
* :func:`q_depth_interpolant` -- argmin sum_j q_D(beta_j / alpha^D) s.t. X beta = y, q_D' = h_D^-1,
  h_D(u) = (1-u)^(-p) - (1+u)^(-p), p = D/(D-2) (D >= 3), h_2 = 2 sinh: KKT is X beta = y and
  h_D^-1(beta / alpha^D) in row(X). h_D^-1 is recomputed here by a bracketed root search on
  t = log(1 - |u|) (Brent), which keeps 1 - |u| to full relative precision near the barrier.
* :func:`min_l1_interpolant` -- argmin ||beta||_1 s.t. X beta = y by LP duality: a dual lambda with
  X_S^T lambda = sign(beta_S) on the support S and ||X^T lambda||_inf <= 1 (recomputed: a solve on
  the support, or an LP feasibility problem when the support is smaller than m), and a zero duality
  gap ||beta||_1 - y^T lambda.
* :func:`min_l2_interpolant` -- argmin ||beta||_2 s.t. X beta = y (the min-distance certificate
  from 0).
* :func:`quartic_root` -- r(b) = the smallest real root of r^4 - 6r^3 + (12-2b^2)r^2 - (8+10b^2)r +
  b^2 + b^4 = min{(u-1)^2 + (v-1)^2 : u^2 - v^2 = b} (Woodworth et al. 2020, sec. 4): the quartic's
  relative backward error at r, and the constrained minimum recomputed by a root search on its
  stationarity condition (not a minimization, as the solver does), at the b recomputed from the raw
  instance (never read from the reference).

Tolerances: a backward-stable answer to a system of condition kappa carries ~kappa u relative
error; 100 max(m, d) kappa u leaves room for dimension factors (a 1e-6 relative error is rejected
up to kappa ~ 1e7 / (100 max(m, d))).
"""
from __future__ import annotations

import numpy as np
import scipy.optimize

from ..certificate import Certificate
from .common import EPS, arr, condition, outside_span
from .min_norm import min_distance_interpolant

TINY = np.finfo(float).tiny


def _kkt_tolerance(X: np.ndarray) -> float:
    return 100.0 * max(X.shape) * condition(X) * EPS


def _primal_residual(X, y, beta) -> float:
    scale = float(np.linalg.norm(X, 2)) * float(np.linalg.norm(beta)) + float(np.linalg.norm(y))
    return float(np.linalg.norm(X @ beta - y)) / max(scale, TINY)


def _row_space_defect(X, u) -> float:
    return outside_span(X.T, u) / max(float(np.linalg.norm(u)), TINY)


# ---- depth 2: Q_alpha and general starts ---------------------------------------------------------

def start_potential(raw) -> tuple[np.ndarray, np.ndarray, str]:
    """(gamma, c, description) of the start in ``raw``: w+0 = w-0 = alpha 1, or (w_plus0, w_minus0)."""
    d = arr(raw, "X").shape[1]
    if "w_plus0" in raw and "w_minus0" in raw:
        ap, am = np.abs(arr(raw, "w_plus0")), np.abs(arr(raw, "w_minus0"))
        return ap * am, np.log(ap) - np.log(am), "gamma = |w+0 w-0|, c = log|w+0/w-0|"
    a = float(raw["alpha"])
    return np.full(d, a * a), np.zeros(d), "gamma = alpha^2, c = 0"


def q_interpolant(raw, reference) -> Certificate:
    """beta = argmin sum gamma q(beta/gamma) - c beta s.t. X beta = y (see module docstring)."""
    X, y = arr(raw, "X"), arr(raw, "y")
    beta = np.asarray(reference["beta"], dtype=float)
    gamma, c, what = start_potential(raw)
    u = np.arcsinh(beta / (2.0 * gamma)) - c  # gradient of the potential at beta
    return Certificate(f"independent: X beta = y and asinh(beta/(2 gamma)) - c in row(X) ({what}), from X, y and the start",
                       {"primal_residual": _primal_residual(X, y, beta), "gradient_outside_row_space": _row_space_defect(X, u)},
                       _kkt_tolerance(X))


# ---- depth D: Q_D ----------------------------------------------------------------------------------

def barrier_inverse(b, p: float) -> np.ndarray:
    """u in (-1, 1) with (1-u)^(-p) - (1+u)^(-p) = b, by Brent's method on t = log(1 - |u|):
    g(t) = e^(-p t) - (2 - e^t)^(-p) - |b| decreases from +inf (t -> -inf) to -|b| (t = 0)."""
    b = np.atleast_1d(np.asarray(b, dtype=float))
    out = np.zeros_like(b)
    t_lo = -700.0 / p  # e^(-p t) stays finite
    for k, bk in enumerate(np.abs(b)):
        if bk == 0.0:
            continue
        g = lambda t: np.exp(-p * t) - (2.0 - np.exp(t)) ** (-p) - bk  # noqa: E731
        if g(t_lo) <= 0.0:  # |b| beyond float64 near the barrier: 1 - |u| underflows
            out[k] = 1.0
            continue
        t = scipy.optimize.brentq(g, t_lo, 0.0, xtol=1e-300, rtol=4 * EPS, maxiter=400)
        out[k] = -np.expm1(t)
    return np.sign(b) * out


def q_depth_interpolant(raw, reference) -> Certificate:
    """beta = argmin sum q_D(beta/alpha^D) s.t. X beta = y, D = raw['depth'] (module docstring)."""
    X, y = arr(raw, "X"), arr(raw, "y")
    D, alpha = int(raw["depth"]), float(raw["alpha"])
    beta = np.asarray(reference["beta"], dtype=float)
    if D == 2:
        u = np.arcsinh(beta / (2.0 * alpha**2))
        link = "asinh(beta/(2 alpha^2))"
    else:
        u = barrier_inverse(beta / alpha**D, D / (D - 2.0))
        link = "h_D^-1(beta/alpha^D)"
    res = {"primal_residual": _primal_residual(X, y, beta), "link_outside_row_space": _row_space_defect(X, u)}
    if D > 2:
        res["barrier_reached"] = float(np.sum(np.abs(u) >= 1.0))
    return Certificate(f"independent: X beta = y and {link} in row(X) (D = {D}), from X, y, depth, alpha",
                       res, _kkt_tolerance(X))


# ---- min l1 / min l2 -------------------------------------------------------------------------------

def _l1_dual(X: np.ndarray, S: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """lambda with X_S^T lambda = sign on S: a solve when |S| = m; with |S| < m, a feasible point of
    {X_S^T lambda = sign, |X^T lambda| <= 1} by an LP (HiGHS), if there is one."""
    m = X.shape[0]
    XS = X[:, S]
    if S.size >= m:
        return np.linalg.lstsq(XS.T, sign, rcond=None)[0]
    res = scipy.optimize.linprog(np.zeros(m), A_ub=np.vstack([X.T, -X.T]), b_ub=np.ones(2 * X.shape[1]),
                                 A_eq=XS.T, b_eq=sign, bounds=[(None, None)] * m, method="highs")
    return res.x if res.status == 0 else np.linalg.lstsq(XS.T, sign, rcond=None)[0]


def min_l1_interpolant(raw, reference) -> Certificate:
    """beta = argmin ||beta||_1 s.t. X beta = y, by a recomputed dual certificate (module docstring).
    A ``reference['dual']`` handed along (the check's lambda) must agree with the recomputed one."""
    X, y = arr(raw, "X"), arr(raw, "y")
    beta = np.asarray(reference["beta"], dtype=float)
    bmax = float(np.max(np.abs(beta))) if beta.size else 0.0
    S = np.flatnonzero(np.abs(beta) > 64.0 * EPS * bmax)
    sign = np.sign(beta[S])
    lam = _l1_dual(X, S, sign)
    corr = X.T @ lam
    l1 = max(float(np.sum(np.abs(beta))), TINY)
    res = {
        "primal_residual": _primal_residual(X, y, beta),
        "support_equations": float(np.max(np.abs(corr[S] - sign))) if S.size else 0.0,
        "dual_feasibility_excess": max(0.0, float(np.max(np.abs(corr))) - 1.0),
        "duality_gap": abs(l1 - float(y @ lam)) / l1,
    }
    if "dual" in reference and S.size == X.shape[0]:
        d_ref = np.asarray(reference["dual"], dtype=float)
        res["handed_dual_disagreement"] = float(np.linalg.norm(d_ref - lam)) / max(float(np.linalg.norm(lam)), TINY)
    tol = 100.0 * max(X.shape) * max(condition(X[:, S]) if S.size else 1.0, condition(X)) * EPS
    return Certificate("independent: min l1 by LP duality (X_S^T lambda = sign, |X^T lambda| <= 1, zero gap), from X, y",
                       res, tol)


def min_l2_interpolant(raw, reference) -> Certificate:
    """beta = argmin ||beta||_2 s.t. X beta = y (X beta = y and beta in row(X))."""
    X = arr(raw, "X")
    return min_distance_interpolant({"X": X, "y": arr(raw, "y"), "w0": np.zeros(X.shape[1])},
                                    {"w": np.asarray(reference["beta"], dtype=float)})


# ---- the quartic r(b) ----------------------------------------------------------------------------------

def _quartic_backward_error(b: float, r: float) -> float:
    b2 = b * b
    coef = np.array([1.0, -6.0, 12.0 - 2.0 * b2, -(8.0 + 10.0 * b2), b2 + b2 * b2])
    powers = r ** np.arange(4, -1, -1)
    return abs(float(coef @ powers)) / max(float(np.abs(coef) @ np.abs(powers)), TINY)


def fiber_minimum(b: float) -> float:
    """min (u-1)^2 + (v-1)^2 s.t. u^2 - v^2 = |b| (u, v > 0), recomputed by Brent's method on the
    stationarity condition in s = v - 1 in [-min(1, |b|/2), 0], with u - 1 = (s (s + 2) + |b|) /
    (sqrt((1 + s)^2 + |b|) + 1) (no cancellation near b = 0)."""
    b = abs(float(b))
    if b == 0.0:
        return 0.0

    def um1(s):
        return (s * (s + 2.0) + b) / (np.sqrt((1.0 + s) ** 2 + b) + 1.0)

    def dfds(s):  # d/ds [(u-1)^2 + s^2] with du/ds = (1 + s)/u
        return 2.0 * um1(s) * (1.0 + s) / (1.0 + um1(s)) + 2.0 * s

    lo = -min(1.0, 0.5 * b)
    s = scipy.optimize.brentq(dfds, lo, 0.0, xtol=1e-300, rtol=4 * EPS, maxiter=400) if dfds(lo) < 0.0 else lo
    return float(um1(s) ** 2 + s * s)


LADDER_FALLBACK_BETA = (1.0, -2.0)  # the R_alpha -> l1 check's beta when no |b_j| > 1e-3 (a stated constant)


def quartic_points(raw, reference) -> np.ndarray:
    """The b at which r(b) was evaluated, recomputed from the raw instance's ``b``:

    * the identity (no ``alphas`` handed): b = raw b;
    * the R_alpha -> ||beta||_1 ladder: b = (beta / alpha^2 for alpha in reference['alphas']), beta = raw b at
      the indices reference['coords'] (the check's choice of coordinates, |b_j| > 1e-3), or
      :data:`LADDER_FALLBACK_BETA` when it chose none. The alphas and coordinates are evaluation points (the
      identity r(b) holds at every b); the values b themselves are never taken from the reference."""
    b_raw = np.atleast_1d(np.asarray(raw["b"], dtype=float))
    if "alphas" not in reference:
        return b_raw
    coords = np.asarray(reference["coords"], dtype=int)
    beta = b_raw[coords] if coords.size else np.asarray(LADDER_FALLBACK_BETA)
    return np.concatenate([beta / float(a) ** 2 for a in np.atleast_1d(np.asarray(reference["alphas"], dtype=float))])


def quartic_root(raw, reference) -> list[Certificate]:
    """r = reference['r'] is r(b) for b recomputed by :func:`quartic_points` from the raw instance: a root of
    the quartic (relative backward error <= 64 u) and equal to the constrained minimum recomputed by
    :func:`fiber_minimum`. A reference whose own ``b`` differs from the recomputed one (relatively, beyond
    4 u: the same divisions in the same order give it exactly) is rejected."""
    b = quartic_points(raw, reference)
    r = np.atleast_1d(np.asarray(reference["r"], dtype=float))
    if r.shape != b.shape:
        return [Certificate("independent: r(b) at the b of the raw instance", {"r_has_the_shape_of_b": np.inf}, 0.0)]
    b_ref = np.atleast_1d(np.asarray(reference.get("b", b), dtype=float))
    if not b.size:
        b_off = 0.0
    elif b_ref.shape != b.shape:
        b_off = np.inf
    else:
        with np.errstate(over="ignore"):  # a nonzero handed b where the raw b is 0: an infinite (rejected) difference
            b_off = float(np.max(np.abs(b_ref - b) / np.maximum(np.abs(b), TINY)))
    back = max((_quartic_backward_error(float(bi), float(ri)) for bi, ri in zip(b, r)), default=0.0)
    worst = 0.0
    for bi, ri in zip(b, r):
        m = fiber_minimum(float(bi))
        worst = max(worst, abs(ri - m) / max(abs(m), abs(ri), TINY))
    # r(b) is determined to ~ u (1 + sqrt|b|) relative: 1 - |v| ~ 1/sqrt|b| at the minimizer, so any
    # route through the fiber's parametrization loses sqrt|b| ulps (a 1e-6 error is rejected up to |b| ~ 5e18)
    bmax = float(np.max(np.abs(b))) if b.size else 0.0
    return [Certificate("independent: the handed b is the b recomputed from the raw instance", {"relative_difference": b_off},
                        4.0 * EPS),
            Certificate("independent: r(b) is a root of the quartic (relative backward error), b from the raw instance",
                        {"quartic_residual": back}, 64.0 * EPS),
            Certificate("independent: r(b) = min{(u-1)^2 + (v-1)^2 : u^2 - v^2 = b} (stationarity root search)",
                        {"fiber_minimum_disagreement": worst}, 64.0 * EPS * (1.0 + np.sqrt(bmax)))]


__all__ = ["LADDER_FALLBACK_BETA", "barrier_inverse", "fiber_minimum", "min_l1_interpolant", "min_l2_interpolant",
           "q_depth_interpolant", "q_interpolant", "quartic_points", "quartic_root", "start_potential"]
