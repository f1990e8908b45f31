"""Certificates of Bregman projections, of the non-negative basis-pursuit LP and of the entropy
mirror flow, recomputed from the raw instance fields and the answer alone.

Bregman projection w* = argmin D_phi(w, w0) s.t. Xw = y (Gunasekar et al. 2018a, Thm 2). For a
strictly convex Legendre potential the KKT conditions are necessary and sufficient:

    X w* = y   and   grad phi(w*) - grad phi(w0) in row(X)

(the multiplier is the dual variable). The mirror maps are implemented here again, from their
formulas, not taken from the model or the solver:

* negative entropy  phi(w) = sum w log w - w (w > 0):      grad phi(w) = log w;
* 1/2 ||w||_p^2, 1 < p < 2:                                  grad phi(w) = n sign(w) (|w|/n)^(p-1), n = ||w||_p
  (n from max|w| times the p-norm of w / max|w|, so no power over- or underflows);
* hyperbolic entropy with scale b:                           grad phi(w) = asinh(w / b).

Residuals: the relative primal residual ||Xw - y|| / (||X|| ||w|| + ||y||); the part of
grad phi(w) - grad phi(w0) outside row(X) (pivoted QR of X^T), relative to ||grad phi(w)|| +
||grad phi(w0)|| (plus sqrt(d) for the entropy, whose map has an absolute round-off floor: log(w(1 + u))
= log w + u); a w outside the potential's domain is rejected outright. Tolerance: a backward-stable
solve has forward error ~ kappa(X) u; evaluating exp / sinh of the dual variable theta adds a relative
error u |theta| per entry; so 100 max(m, d) kappa(X) max(1, ||theta||_inf) u, the same form as the
min-norm certificate. A 1e-6 relative error of w moves the stationarity residual by ~1e-6 / (1 +
||theta||_inf) for the entropy (d theta = dw / w) and ~1e-6 for the homogeneous p-norm map: far above
the tolerance on every instance the claims draw (cond(X) <= 10, |theta| <= ~25).

Non-negative basis pursuit min 1^T u s.t. Xu = y, u >= 0 (a dual certificate): with the reduced
costs s = 1 - X^T nu recomputed from X and the dual nu, the answer is optimal iff Xu = y, u >= 0,
s >= 0 and 1^T u = y^T nu (then u_j s_j = 0). The smallest reduced cost off the support, s0, sets
the order of the square reparametrization's approach to u as alpha -> 0; it is recomputed too.

Entropy mirror flow d/dt log u = -c X^T(Xu - y) from alpha 1: log u(t) - log alpha lies in row(X) at
every t (its velocity does); checked on every stored point of the reference trajectory.
"""
from __future__ import annotations

import numpy as np

from ..certificate import Certificate
from .common import EPS, arr, condition, outside_span
from .min_norm import min_distance_interpolant

POTENTIAL_KINDS = ("negative-entropy", "half-squared-p-norm", "hyperbolic-entropy")


def mirror_map(kind: str, w: np.ndarray, p: float = 1.5, b: float = 1.0) -> np.ndarray | None:
    """grad phi(w) for the potential ``kind`` (see module docstring); None outside the domain."""
    w = np.asarray(w, dtype=float)
    if not np.all(np.isfinite(w)):
        return None
    if kind == "negative-entropy":
        return np.log(w) if np.all(w > 0) else None
    if kind == "half-squared-p-norm":
        a = np.abs(w)
        top = float(a.max()) if a.size else 0.0
        if top == 0.0:
            return np.zeros_like(w)
        n = top * float(np.sum((a / top) ** p)) ** (1.0 / p)
        return n * np.sign(w) * (a / n) ** (p - 1.0)
    if kind == "hyperbolic-entropy":
        return np.arcsinh(w / b)
    raise ValueError(f"unknown potential {kind!r} (choose from {', '.join(POTENTIAL_KINDS)})")


def projection_kkt(X, y, w0, w, kind: str, p: float = 1.5, b: float = 1.0, what: str = "") -> Certificate:
    """KKT certificate of w = argmin D_phi(w, w0) s.t. Xw = y (see module docstring)."""
    X, y, w0, w = (np.asarray(a, dtype=float) for a in (X, y, w0, w))
    name = f"independent: Xw = y and grad phi(w) - grad phi(w0) in row(X), {kind}{what}, from X, y, w0"
    th, th0 = mirror_map(kind, w, p, b), mirror_map(kind, w0, p, b)
    if th is None or th0 is None:
        return Certificate(name, {"outside_the_potential_domain": np.inf}, 0.0)
    m, d = X.shape
    resid = float(np.linalg.norm(X @ w - y)) / (float(np.linalg.norm(X, 2)) * float(np.linalg.norm(w))
                                                + float(np.linalg.norm(y)) + np.finfo(float).tiny)
    floor = np.sqrt(d) if kind == "negative-entropy" else 0.0
    tscale = max(float(np.linalg.norm(th)) + float(np.linalg.norm(th0)) + floor, np.finfo(float).tiny)
    stat = outside_span(X.T, th - th0) / tscale
    theta_inf = max(1.0, float(np.max(np.abs(th))), float(np.max(np.abs(th0))))
    tol = 100.0 * max(m, d) * condition(X) * theta_inf * EPS
    return Certificate(name, {"primal_residual": resid, "grad_phi_outside_row_space": stat}, tol)


def _kind_of_index(k: int) -> str:
    return POTENTIAL_KINDS[int(k)]


def mirror_descent_limit(raw, reference) -> Certificate:
    """The Bregman projection of w0 for the instance's potential (fields X, y, w0, potential, p, b)."""
    kind = _kind_of_index(int(np.asarray(raw["potential"])))
    p = float(np.asarray(raw.get("p", 1.5)))
    b = float(np.asarray(raw.get("b", 1.0)))
    return projection_kkt(arr(raw, "X"), arr(raw, "y"), arr(raw, "w0"), reference["w"], kind, p, b)


def kl_projection_of_alpha(raw, reference) -> Certificate:
    """The KL (negative-entropy Bregman) projection of alpha 1 onto {Xu = y} (fields X, y, alpha)."""
    X = arr(raw, "X")
    alpha = float(np.asarray(raw["alpha"]))
    return projection_kkt(X, arr(raw, "y"), np.full(X.shape[1], alpha), reference["u"], "negative-entropy",
                          what=f" from alpha 1 (alpha = {alpha:.3g})")


def nonneg_basis_pursuit_dual(X, y, u, nu, s0=None) -> Certificate:
    """Dual certificate of u = argmin 1^T u s.t. Xu = y, u >= 0 (see module docstring); with ``s0``,
    also that s0 is the smallest reduced cost off the support of u."""
    X, y, u, nu = (np.asarray(a, dtype=float) for a in (X, y, u, nu))
    m, d = X.shape
    s = 1.0 - X.T @ nu
    l1 = max(float(np.sum(np.abs(u))), np.finfo(float).tiny)
    xs = float(np.linalg.norm(X, 2))
    # the optimal vertex solves the m x m system of its support: forward error ~ cond(X_S) u
    support = u > 1e3 * EPS * l1
    XS = X[:, support]
    kappa = condition(XS) if 0 < XS.shape[1] <= m else condition(X)
    tol = 100.0 * max(m, d) * kappa * EPS
    res = {
        "primal_residual": float(np.linalg.norm(X @ u - y)) / (xs * float(np.linalg.norm(u)) + float(np.linalg.norm(y))),
        "negativity": max(0.0, -float(np.min(u))) / l1,
        "dual_infeasibility": max(0.0, -float(np.min(s))) / (1.0 + xs * float(np.linalg.norm(nu))),
        "duality_gap": abs(float(np.sum(u)) - float(y @ nu)) / l1,
        "complementarity": float(np.max(np.abs(u * s))) / l1,
    }
    if s0 is not None:
        off = ~support
        s_min = float(np.min(s[off])) if off.any() else np.inf
        res["smallest_reduced_cost_mismatch"] = abs(float(s0) - s_min) if np.isfinite(s_min) else (0.0 if s0 == np.inf else np.inf)
    return Certificate("independent: non-negative basis pursuit, dual certificate (s = 1 - X^T nu >= 0, "
                       "1^T u = y^T nu, Xu = y, u >= 0) from X, y", res, tol)


def basis_pursuit_limit(raw, reference) -> Certificate:
    """The alpha -> 0 target: the non-negative min-l1 interpolant with its dual and s0 (fields X, y)."""
    return nonneg_basis_pursuit_dual(arr(raw, "X"), arr(raw, "y"), reference["u"], reference["nu"], reference.get("s0"))


def entropy_mirror_flow_path(raw, reference) -> list[Certificate]:
    """The entropy mirror flow d/dt log u = -c X^T(Xu - y) from alpha 1, sampled at the times
    reference["t"] (uniform, an even number of intervals) as the rows of reference["u_path"], with
    c = reference["constant"] (fields X, y, alpha). Two certificates:

    * geometry: u(0) = alpha 1, u > 0, and log u(t) - log alpha in row(X) at every sample (a linear
      invariant of the log-space ODE, kept by Runge-Kutta to round-off: tolerance 100 d sqrt(n) u,
      n = reference["steps"]);
    * clock: with lambda(t) the coordinates of log u(t) - log alpha in the rows of X,
      lambda(t_{2k+2}) - lambda(t_{2k}) = -c int r dt over each pair of intervals, the integral by
      Simpson's rule on the three samples; tolerance: |Simpson - trapezoid| on the same pair (a
      bound on Simpson's error, which is of higher order), plus round-off, all relative to
      max_k ||c int r||. A wrong constant c (1 + e) leaves a clock residual ~ e."""
    X, y = arr(raw, "X"), arr(raw, "y")
    alpha = float(np.asarray(raw["alpha"]))
    t = np.asarray(reference["t"], dtype=float)
    U = np.asarray(reference["u_path"], dtype=float)
    c = float(reference["constant"])
    geo = "independent: entropy mirror flow from alpha 1, log u(t) - log alpha in row(X) at every sample"
    clock = f"independent: entropy mirror flow clock, d lambda/dt = -{c:g} (Xu - y) (Simpson vs trapezoid)"
    if (U.ndim != 2 or U.shape != (t.size, X.shape[1]) or t.size < 3 or (t.size - 1) % 2
            or not np.all(np.isfinite(U)) or np.any(U <= 0)):
        bad = {"malformed_or_outside_the_positive_orthant": np.inf}
        return [Certificate(geo, bad, 0.0), Certificate(clock, bad, 0.0)]
    d = X.shape[1]
    L = np.log(U) - np.log(alpha)
    smax = max(1.0, float(np.max(np.abs(L))))
    defect = max(outside_span(X.T, row) for row in L) / (smax * np.sqrt(d))
    start = float(np.max(np.abs(U[0] - alpha))) / alpha
    n = max(int(reference.get("steps", 1)), 1)
    cert_geo = Certificate(geo, {"null_space_part_of_log_u": defect, "start_is_alpha_1": start},
                           100.0 * d * np.sqrt(n) * EPS)
    lam = np.linalg.lstsq(X.T, L.T, rcond=None)[0].T  # (samples, m)
    R = U @ X.T - y  # residuals r(t_k), (samples, m)
    a, mid, b = R[:-2:2], R[1:-1:2], R[2::2]
    h = (t[2::2] - t[:-2:2])[:, None]
    simpson = h / 6.0 * (a + 4.0 * mid + b)
    trapezoid = h / 2.0 * (a + b)
    scale = max(float(np.max(np.linalg.norm(c * simpson, axis=1))), np.finfo(float).tiny)
    miss = float(np.max(np.linalg.norm(lam[2::2] - lam[:-2:2] + c * simpson, axis=1))) / scale
    quad = float(np.max(np.linalg.norm(c * (simpson - trapezoid), axis=1))) / scale
    tol = quad + 100.0 * d * condition(X) * smax * EPS * max(1.0, float(np.max(np.abs(lam)))) / scale
    return [cert_geo, Certificate(clock, {"clock_residual": miss}, tol)]


def large_alpha_limits(raw, reference) -> list[Certificate]:
    """The references of the large-alpha check: X^+ y (min-norm certificate) and, at each alpha of
    reference["alphas"], the limit of the model named by reference["model"]: "unbiased" -- the
    hyperbolic-entropy projection of 0 with b = 2 alpha; "biased" -- the KL projection of alpha 1."""
    X, y = arr(raw, "X"), arr(raw, "y")
    d = X.shape[1]
    certs = [min_distance_interpolant({"X": X, "y": y, "w0": np.zeros(d)}, {"w": reference["l2"]})]
    model = reference["model"]
    if model not in ("unbiased", "biased"):
        raise ValueError(f"unknown model {model!r}")
    for a, w in zip(reference["alphas"], reference["limits"]):
        a = float(a)
        if model == "unbiased":
            certs.append(projection_kkt(X, y, np.zeros(d), w, "hyperbolic-entropy", b=2.0 * a,
                                        what=f" b = 2 alpha = {2 * a:.3g}"))
        else:
            certs.append(projection_kkt(X, y, np.full(d, a), w, "negative-entropy", what=f" from alpha 1 (alpha = {a:.3g})"))
    return certs


__all__ = ["POTENTIAL_KINDS", "basis_pursuit_limit", "entropy_mirror_flow_path", "kl_projection_of_alpha",
           "large_alpha_limits", "mirror_descent_limit", "mirror_map", "nonneg_basis_pursuit_dual", "projection_kkt"]
