"""R_alpha: explicit l2 regularization in parameter space, mapped to function space.

Woodworth et al. 2020 (sec. 4; notes 004 "Is implicit bias of GD just l2 in param space?"):
    R_alpha(beta) = min { ||w - alpha 1||^2 : w+^2 - w-^2 = beta } = alpha^2 sum_j r(beta_j / alpha^2)
(notes 004 omit the alpha^2 factor), r(b) = the SMALLEST real root of
    r^4 - 6 r^3 + (12 - 2 b^2) r^2 - (8 + 10 b^2) r + b^2 + b^4.

Stable parametrization (Lagrange: u = w+ = 1/(1 - mu), v = w- = 1/(1 + mu), u^2 - v^2 = b):
    4 lam = |b| (1 - lam^2)^2, lam in [0, 1),   r = 2 lam^2 (1 + lam^2) / (1 - lam^2)^2,
and by the envelope theorem r'(b) = sign(b) lam, r''(b) = (1 - lam^2)^3 / (4 (1 + 3 lam^2)) > 0.
np.roots on the quartic is unreliable near b = 0 (a triple root at r = 2 splits), so the quartic is
only used as a comparison; an independent scalar minimization of (u-1)^2 + (v-1)^2 over the fiber
checks both.
"""
from __future__ import annotations

import numpy as np
import scipy.optimize

from .certificate import Certificate
from .q_alpha import separable_interpolant_primal

EPS = np.finfo(float).eps


def _lam_scalar(ab: float) -> float:
    if ab == 0.0:
        return 0.0
    f = lambda lam: 4.0 * lam - ab * (1.0 - lam * lam) ** 2  # increasing on [0, 1]
    return scipy.optimize.brentq(f, 0.0, 1.0, xtol=1e-300, rtol=4 * EPS, maxiter=500)


def lam_of(b) -> np.ndarray:
    """The root lam in [0, 1) of 4 lam = |b| (1 - lam^2)^2."""
    b = np.abs(np.asarray(b, float))
    return np.vectorize(_lam_scalar, otypes=[float])(b)


def r_param(b) -> np.ndarray:
    """r(b) by the parametrization (stable for all b, including 0 and |b| up to ~1e12)."""
    lam = lam_of(b)
    return 2.0 * lam**2 * (1.0 + lam**2) / (1.0 - lam**2) ** 2


def _gap_scalar(ab: float) -> float:
    """e = 1 - lam in (0, 1] for 4 lam = |b| (1 - lam^2)^2, solved in e itself: 4 (1 - e) = |b| e^2 (2 - e)^2
    (the left side minus the right decreases in e), so e keeps full relative precision as |b| -> inf."""
    if ab == 0.0:
        return 1.0
    g = lambda e: ab * e * e * (2.0 - e) ** 2 - 4.0 * (1.0 - e)  # increasing on [0, 1]
    return scipy.optimize.brentq(g, 0.0, 1.0, xtol=1e-300, rtol=4 * EPS, maxiter=500)


def r_excess(b) -> np.ndarray:
    """r(b) - |b| without cancellation (for R_alpha(beta) - ||beta||_1 as alpha -> 0):
    with e = 1 - lam, r - |b| = -2 lam (lam^2 + lam + 2) / ((1 - lam)(1 + lam)^2) = -2 (1-e)((1-e)^2 + (1-e) + 2) / (e (2-e)^2)
    (-> -2 sqrt|b| + 2 as |b| -> inf; ~ -|b| near 0)."""
    e = np.vectorize(_gap_scalar, otypes=[float])(np.abs(np.asarray(b, float)))
    lam = 1.0 - e
    return -2.0 * lam * (lam * lam + lam + 2.0) / (e * (2.0 - e) ** 2)


def r_prime(b) -> np.ndarray:
    return np.sign(np.asarray(b, float)) * lam_of(b)


def r_second(b) -> np.ndarray:
    lam = lam_of(b)
    return (1.0 - lam**2) ** 3 / (4.0 * (1.0 + 3.0 * lam**2))


def quartic_coefficients(b: float) -> np.ndarray:
    b2 = b * b
    return np.array([1.0, -6.0, 12.0 - 2.0 * b2, -(8.0 + 10.0 * b2), b2 + b2 * b2])


def quartic_real_roots(b: float, imag_tol: float = 1e-7) -> np.ndarray:
    """Real roots of the quartic by np.roots (companion eigenvalues), each polished by Newton."""
    c = quartic_coefficients(float(b))
    roots = np.roots(c)
    real = np.sort(roots[np.abs(roots.imag) <= imag_tol * np.maximum(1.0, np.abs(roots))].real)
    dc = np.polyder(c)
    out = []
    for x in real:
        for _ in range(3):
            dv = np.polyval(dc, x)
            if dv != 0:
                x = x - np.polyval(c, x) / dv
        out.append(x)
    return np.array(out)


def quartic_smallest_root(b: float) -> float:
    rr = quartic_real_roots(b)
    return float(rr[0]) if rr.size else float("nan")


def quartic_largest_root(b: float) -> float:
    rr = quartic_real_roots(b)
    return float(rr[-1]) if rr.size else float("nan")


def r_constrained_min(b: float) -> tuple[float, float]:
    """min (u-1)^2 + (v-1)^2 s.t. u^2 - v^2 = b, independently, by bounded scalar minimization over
    v' = v - 1 with u - 1 = (v'(v'+2) + b) / (sqrt((1+v')^2 + b) + 1) (no cancellation near b = 0).
    By symmetry (b -> -b swaps u and v) only |b| is used. Returns (value, minimizer v')."""
    b = abs(float(b))

    def f(vp):
        um1 = (vp * (vp + 2.0) + b) / (np.sqrt((1.0 + vp) ** 2 + b) + 1.0)
        return um1 * um1 + vp * vp

    # the minimizer has v in (0, 1], i.e. v' in (-1, 0]; |v'| <= b/4 for small b
    hi = 0.0
    lo = -min(1.0, 0.5 * b + 1e-300)
    res = scipy.optimize.minimize_scalar(f, bounds=(lo, hi), method="bounded",
                                         options={"xatol": 1e-14 * max(abs(lo), 1e-300), "maxiter": 2000})
    return float(res.fun), float(res.x)


def R_alpha(beta, alpha: float) -> float:
    return float(alpha**2 * np.sum(r_param(np.asarray(beta, float) / alpha**2)))


def argmin_r_alpha(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, Certificate]:
    """argmin R_alpha(beta) s.t. X beta = y, by trust-region Newton on the null space with the
    parametric r', r''. Certificate: relative projected gradient and relative primal residual."""
    a2 = float(alpha) ** 2
    beta, pg = separable_interpolant_primal(
        X, y,
        lambda b: a2 * r_param(b / a2),
        lambda b: r_prime(b / a2),
        lambda b: r_second(b / a2) / a2,
    )
    res = float(np.linalg.norm(X @ beta - y)) / (float(np.linalg.norm(X, 2)) * float(np.linalg.norm(beta))
                                                 + float(np.linalg.norm(y)))
    return beta, Certificate("argmin R_alpha: KKT (projected gradient, primal residual)",
                             {"projected_gradient": pg, "primal_residual": res}, 1e-9)


def r_certificate(b) -> Certificate:
    """Defining-equation certificate for r(b) = r_param(b): the relative backward error of the
    quartic at r, |P_b(r)| / sum_k |c_k| |r|^k, for every b (a few u when r is a root; measured
    <= 3 u for |b| in [0, 1e8]); tolerance 64 u."""
    b = np.atleast_1d(np.asarray(b, float))
    r = r_param(b)
    worst = 0.0
    for bi, ri in zip(b, r):
        c = quartic_coefficients(float(bi))
        pw = ri ** np.arange(4, -1, -1)
        worst = max(worst, abs(float(c @ pw)) / max(float(np.abs(c) @ np.abs(pw)), 1e-300))
    return Certificate("r(b) solves the quartic (relative backward error)", {"quartic_residual": worst}, 64 * EPS)
