"""Independent certificates for the neurons / wide-net family, recomputed from the raw instance.

* :func:`curvature_spline_kkt` -- a degree-2k+1 curvature or smoothing spline given by its
  representer (alpha, beta): u/zeta = sum_i alpha_i (x_i - t)_+^k / k! with the moment conditions
  sum_i alpha_i x_i^p = 0 (p <= k: dual feasibility), and the data conditions g(x_j) = y_j
  (interpolation) or alpha_j = (y_j - g(x_j)) / lam (smoothing), where g(x_j) is re-evaluated by
  adaptive quadrature of int (x_j - t)^k/k! zeta(t) u(t)/zeta(t) dt with zeta recomputed from the
  instance's (sw, sb) -- together the KKT conditions of the convex problem;
* :func:`natural_spline_moments` -- natural cubic splines given by their second derivatives at
  the knots: the tridiagonal moment equations and zero end moments, with the data recomputed from
  the target function's parameters;
* :func:`min_cost_certificate` -- the least weight-decay cost of an interpolating 1-D ReLU net: a
  dual vector nu feasible for every knot t in R (checked at the data, where the piecewise-linear
  constraint functions have their kinks) gives the lower bound nu^T y, and an interpolant built
  here (the linear spline with kinks at the data and end slopes chosen to balance the two terms of
  Savarese et al.'s R) gives the upper bound;
* :func:`radon_closed_form` -- the d = 2 reference against the closed-form kernel interpolant
  (arc-cosine kernel of degree 1 for Gaussian (W, B); ||x - z||^3 for the uniform initialization);
* :func:`neuron_limit` -- sigma(X w) = y and w - w0 in row(X) for the single-neuron limit.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.integrate

from ..certificate import Certificate
from .common import EPS, arr, condition, outside_span


def _zeta(raw, k: int):
    sw, sb = float(raw["sw"]), float(raw["sb"])
    c = 2.0**k * math.factorial(k) * (sw * sb) ** (2 * k + 1) / math.pi
    return lambda t: c / (sb**2 + t**2 * sw**2) ** (k + 1)


def _tp(z, k):
    return max(z, 0.0) ** k / math.factorial(k)


def _spline_at(xj, knots, alpha, beta, k, zeta):
    ell = lambda t: sum(a * _tp(xi - t, k) for a, xi in zip(alpha, knots))
    f = lambda t: _tp(xj - t, k) * zeta(t) * ell(t)
    pts = [p for p in knots if knots[0] < p < xj]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.integrate.IntegrationWarning)
        v = scipy.integrate.quad(f, knots[0], xj, points=pts or None, epsabs=1e-15, epsrel=1e-12, limit=200)[0] \
            if xj > knots[0] else 0.0
    return v + sum(b * xj**p for p, b in enumerate(beta))


def curvature_spline_kkt(raw, reference) -> list[Certificate]:
    """reference: {"splines": [{"alpha", "beta", "lam"}...], "k": k} over the sorted data of raw
    ("x", "y", "sw", "sb"); one certificate per spline."""
    x, y = arr(raw, "x"), arr(raw, "y")
    o = np.argsort(x)
    x, y = x[o], y[o]
    k = int(reference["k"])
    zeta = _zeta(raw, k)
    out = []
    yscale = max(float(np.max(np.abs(y))), 1e-300)
    for sp in reference["splines"]:
        alpha, beta, lam = np.asarray(sp["alpha"], float), np.asarray(sp["beta"], float), float(sp["lam"])
        g = np.array([_spline_at(xj, x, alpha, beta, k, zeta) for xj in x])
        ascale = max(float(np.max(np.abs(alpha))), 1e-300)
        moments = max(abs(float(alpha @ x**p)) / (ascale * max(1.0, float(np.max(np.abs(x)))) ** p) for p in range(k + 1))
        if lam > 0:
            data = float(np.max(np.abs(alpha - (y - g) / lam))) / ascale
        else:
            data = float(np.max(np.abs(g - y))) / yscale
        out.append(Certificate(f"independent: degree-{2 * k + 1} spline KKT by quad (lam = {lam:.3g})",
                               {"data_condition": data, "moment_conditions": moments}, 1e-8))
    return out


def target_g0(raw, t) -> np.ndarray:
    """The smooth target of the spline-error claims, from its raw parameters: polynomial "poly"
    (increasing powers) + sum_m "sines"[m-1] sin(m pi (t - a)/(b - a)) + "exp_amp" exp("exp_rate" t)."""
    t = np.asarray(t, dtype=float)
    a, b = float(raw["a"]), float(raw["b"])
    out = np.polynomial.polynomial.polyval(t, arr(raw, "poly"))
    for m, s in enumerate(arr(raw, "sines"), start=1):
        out = out + s * np.sin(m * np.pi * (t - a) / (b - a))
    return out + float(raw["exp_amp"]) * np.exp(float(raw["exp_rate"]) * t)


def natural_spline_moments(raw, reference) -> Certificate:
    """reference: {"levels": [{"knots", "m2"}...]} -- each level the natural cubic spline of the
    target (recomputed from raw) at its knots: moment equations and zero end moments."""
    worst, ends = 0.0, 0.0
    for lev in reference["levels"]:
        t, m = np.asarray(lev["knots"], float), np.asarray(lev["m2"], float)
        yv = target_g0(raw, t)
        h = np.diff(t)
        d = np.diff(yv) / h
        lhs = h[:-1] * m[:-2] + 2.0 * (h[:-1] + h[1:]) * m[1:-1] + h[1:] * m[2:]
        rhs = 6.0 * np.diff(d)
        sc = max(float(np.max(np.abs(rhs))), float(np.max(np.abs(lhs))), 1e-300)
        worst = max(worst, float(np.max(np.abs(lhs - rhs))) / sc)
        ends = max(ends, (abs(m[0]) + abs(m[-1])) / max(float(np.max(np.abs(m))), 1e-300))
    return Certificate("independent: natural cubic spline moment equations (tridiagonal) and m(a) = m(b) = 0",
                       {"moment_equations": worst, "natural_ends": ends}, 1e-9)


def min_cost_certificate(raw, reference) -> Certificate:
    """reference: {"value": R, "nu": dual in sorted-data order, "free_linear": bool}."""
    x, y = arr(raw, "x"), arr(raw, "y")
    o = np.argsort(x)
    x, y = x[o], y[o]
    nu = np.asarray(reference["nu"], float)
    R = float(reference["value"])
    free = bool(reference.get("free_linear", False))
    up = np.maximum(x[:, None] - x[None, :], 0.0)  # [x_j - t]_+ at t = x_i (rows j)
    dn = np.maximum(x[None, :] - x[:, None], 0.0)  # [t - x_j]_+
    infeas = max(float(np.max(np.abs(nu @ up))), float(np.max(np.abs(nu @ dn)))) - 1.0
    balance = abs(float(nu.sum()))
    if free:
        balance = max(balance, abs(float(nu @ x)))
    lower = float(nu @ y)
    # an explicit interpolant: kinks at the data, end slopes balancing int |f''| and |f'(-inf) + f'(+inf)|
    s = np.diff(y) / np.diff(x)
    tv_inside = float(np.sum(np.abs(np.diff(s))))
    if free:
        upper = tv_inside
    else:
        S = s[0] + s[-1]
        delta = max(0.0, (abs(S) - tv_inside) / 2.0)
        L, Rs = s[0] - np.sign(S) * delta / 2.0, s[-1] - np.sign(S) * delta / 2.0
        tv = tv_inside + abs(s[0] - L) + abs(Rs - s[-1])
        upper = max(tv, abs(L + Rs))
    scale = max(abs(R), 1e-300)
    return Certificate("independent: dual feasible on all t (lower bound nu^T y) and an explicit interpolant (upper bound)",
                       {"dual_infeasibility": max(infeas, 0.0), "dual_balance": balance,
                        "value_above_upper_bound": max(R - upper, 0.0) / scale,
                        "value_below_lower_bound": max(lower - R, 0.0) / scale,
                        "bracket_width": max(upper - lower, 0.0) / scale}, 1e-8)


def _arccos(X, Z, sw, sb):
    U = np.hstack([sw * X, sb * np.ones((X.shape[0], 1))])
    W = np.hstack([sw * Z, sb * np.ones((Z.shape[0], 1))])
    nu, nw = np.linalg.norm(U, axis=1)[:, None], np.linalg.norm(W, axis=1)[None, :]
    cos = np.clip(U @ W.T / (nu * nw), -1.0, 1.0)
    th = np.arccos(cos)
    return nu * nw * (np.sin(th) + (np.pi - th) * cos) / (2.0 * np.pi)


def radon_closed_form(raw, reference) -> Certificate:
    """reference: {"points": E, "values": g*(E), "error": its own error estimate}; raw: "X", "y",
    "init" (0 Gaussian (sw, sb), 1 uniform on the circle with B ~ U(-a_b, a_b))."""
    X, y = arr(raw, "X"), arr(raw, "y")
    E = np.asarray(reference["points"], float)
    M = X.shape[0]
    if int(raw["init"]) == 0:
        sw, sb = float(raw["sw"]), float(raw["sb"])
        ker = lambda P, Q: _arccos(P, Q, sw, sb)
    else:
        ker = lambda P, Q: np.linalg.norm(P[:, None, :] - Q[None, :, :], axis=2) ** 3
    A = np.hstack([np.ones((M, 1)), X])
    S = np.block([[ker(X, X), A], [A.T, np.zeros((3, 3))]])
    sol = np.linalg.solve(S, np.concatenate([y, np.zeros(3)]))
    g = ker(E, X) @ sol[:M] + sol[M] + E @ sol[M + 1:]
    diff = float(np.max(np.abs(g - np.asarray(reference["values"], float))))
    budget = float(reference["error"]) + 100.0 * condition(S) * EPS * max(float(np.max(np.abs(y))), 1.0)
    return Certificate("independent: closed-form kernel interpolant (arc-cosine / polyharmonic r^3), affine free",
                       {"distance_minus_error_estimate": max(diff - budget, 0.0)}, 1e-9)


def neuron_limit(raw, reference) -> Certificate:
    """reference: {"w": limit, "activation": name, "alpha": leaky slope}: sigma(Xw) = y and w - w0 in row(X)."""
    X, y, w0 = arr(raw, "X"), arr(raw, "y"), arr(raw, "w0")
    w = np.asarray(reference["w"], float)
    name, alpha = reference["activation"], float(reference.get("alpha", 0.0))
    z = X @ w
    if name == "leaky-relu":
        s = np.where(z > 0, z, alpha * z)
    elif name == "tanh":
        s = np.tanh(z)
    elif name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
    else:
        s = np.maximum(z, 0.0)
    scale = max(float(np.linalg.norm(w)), float(np.linalg.norm(w0)), np.finfo(float).tiny)
    resid = float(np.linalg.norm(s - y)) / (float(np.linalg.norm(X, 2)) * scale + float(np.linalg.norm(y)))
    off = outside_span(X.T, w - w0) / scale
    return Certificate("independent: sigma(Xw) = y and w - w0 in row(X), from X, y, w0",
                       {"data_residual": resid, "outside_row_space": off},
                       1e3 * max(X.shape) * condition(X) * EPS)


__all__ = ["curvature_spline_kkt", "min_cost_certificate", "natural_spline_moments", "neuron_limit", "radon_closed_form",
           "target_g0"]
