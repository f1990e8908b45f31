"""Certificates for the optimizer-geometry claims, from the raw instance (X, y, w0, potential) and
the points a check compared.

``euclidean_limits``: every point w handed in ``reference['limits']`` (or the single
``reference['w']``) is argmin ||w - w0||_2 s.t. Xw = y, the limit gradient descent has at every
step size (Gunasekar et al. 2018a, Thm 1): Xw = y and w - w0 in row(X).

``bregman_limits``: every such point is argmin D_psi(w, w0) s.t. Xw = y, the limit of mirror
descent at every step size and of the natural gradient flow (Gunasekar et al. 2018a, Thm 2 and
sec. 2.2): Xw = y and grad psi(w) - grad psi(w0) in row(X). grad psi is recomputed here from the
raw fields ``potential`` (0 negative entropy, grad = log w; 1 half squared p-norm,
grad = ||w||_p^{2-p} sign(w) |w|^{p-1}; 2 hyperbolic entropy with scale b, grad = asinh(w / b)),
``p`` and ``b``, not taken from the model's potentials.

Residuals (all relative, maximized over the points): ||Xw - y|| / (||X|| ||w|| + ||y||), and the
component of w - w0 (resp. grad psi(w) - grad psi(w0)) outside row(X) (pivoted QR of X^T) over
max(||w||, ||w0||) (resp. the larger of the two gradients, at least 1).

Tolerance: 1e3 max(m, d) cond(X) u (u = eps / 2), times max(1, max |grad psi(w)|) for the
entropies, whose inverse maps exp / sinh carry a relative error ~ u |theta|. The points are either a
backward-stable solver's answer (forward error ~ cond(X) u) or the final iterates of runs stopped
at relative residual <= max(1e-13, 10 u cond(X) (||X|| ||w|| + ||y||) / ||y||) whose increments stay
in row(X) up to a round-off random walk of ~ u sqrt(T) ||w||; 1e3 max(m, d) >= 2e3 covers both
(1e-13 <= 1e3 * 2 * u) and still rejects a 1e-6 relative error up to cond(X) max(m, d) ~ 1e6.
"""
from __future__ import annotations

import numpy as np

from ..certificate import Certificate
from .common import EPS, arr, condition, outside_span

U = EPS / 2


def _points(reference) -> np.ndarray:
    pts = reference["limits"] if "limits" in reference else [reference["w"]]
    P = np.atleast_2d(np.asarray(pts, dtype=float))
    if P.shape[0] == 0:
        raise ValueError("no points to certify")
    return P


def _residual(X, y, w) -> float:
    return float(np.linalg.norm(X @ w - y)) / (float(np.linalg.norm(X, 2)) * float(np.linalg.norm(w)) + float(np.linalg.norm(y)))


def euclidean_limits(raw, reference) -> Certificate:
    X, y, w0 = arr(raw, "X"), arr(raw, "y"), arr(raw, "w0")
    P = _points(reference)
    resid = off_row = 0.0
    for w in P:
        scale = max(float(np.linalg.norm(w)), float(np.linalg.norm(w0)), np.finfo(float).tiny)
        resid = max(resid, _residual(X, y, w))
        off_row = max(off_row, outside_span(X.T, w - w0) / scale)
    tol = 1e3 * max(X.shape) * condition(X) * U
    return Certificate(f"independent: each of {len(P)} point(s) has Xw = y and w - w0 in row(X) (the GD limit), from X, y, w0",
                       {"primal_residual": resid, "outside_row_space": off_row}, tol)


def potential_gradient(raw, w: np.ndarray) -> np.ndarray:
    """grad psi(w) for the raw instance's potential (see module docstring)."""
    k = int(raw["potential"])
    w = np.asarray(w, dtype=float)
    if k == 0:
        if np.any(w <= 0):
            raise ValueError("negative entropy: a point outside w > 0")
        return np.log(w)
    if k == 1:
        p = float(raw["p"])
        n = float(np.linalg.norm(w, p))
        return np.zeros_like(w) if n == 0.0 else n ** (2.0 - p) * np.sign(w) * np.abs(w) ** (p - 1.0)
    if k == 2:
        return np.arcsinh(w / float(raw["b"]))
    raise ValueError(f"unknown potential index {k}")


def bregman_limits(raw, reference) -> Certificate:
    X, y, w0 = arr(raw, "X"), arr(raw, "y"), arr(raw, "w0")
    P = _points(reference)
    g0 = potential_gradient(raw, w0)
    resid = off_row = 0.0
    theta_scale = 1.0
    for w in P:
        g = potential_gradient(raw, w)
        scale = max(float(np.linalg.norm(g)), float(np.linalg.norm(g0)), 1.0)
        resid = max(resid, _residual(X, y, w))
        off_row = max(off_row, outside_span(X.T, g - g0) / scale)
        if int(raw["potential"]) != 1:
            theta_scale = max(theta_scale, float(np.max(np.abs(g))), float(np.max(np.abs(g0))))
    tol = 1e3 * max(X.shape) * condition(X) * theta_scale * U
    return Certificate(f"independent: each of {len(P)} point(s) has Xw = y and grad psi(w) - grad psi(w0) in row(X) "
                       f"(Bregman projection, potential {int(raw['potential'])}), from X, y, w0",
                       {"primal_residual": resid, "grad_psi_outside_row_space": off_row}, tol)
