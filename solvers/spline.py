"""The predicted function of a wide ReLU net trained by GD: the curvature-weighted spline g* and
the tangent-kernel interpolant g_K, each with a certificate.

g* (Jin & Montufar 2023, Thm 5, problem (5); note 002):

    g* = argmin_{g in C^2(S)} int_S (g'' - f0'')^2 / zeta  s.t.  g(x_j) = y_j,  S = [x_1, x_M].

With h = g - f0 the Euler-Lagrange conditions are: lambda = h''/zeta is continuous, linear between
knots, and lambda(x_1) = lambda(x_M) = 0 (natural boundary conditions). So
h(x) = alpha + beta x + sum_{k=2}^{M-1} c_k int_{x_1}^x (x - t) zeta(t) hat_k(t) dt with hat_k the
piecewise-linear hat at knot k: an M x M linear solve (the catalogue's (M+2) x (M+2) system with
the two boundary conditions eliminated). The basis integrals use Gauss-Legendre on each knot
interval (zeta is smooth on S for the initializations used).

Certificate (:func:`spline_certificate`): g is re-evaluated by an independent route (adaptive
scipy.integrate.quad of (x - t) zeta(t) lambda(t)); residuals are the interpolation residual
max_j |g(x_j) - y_j| / max|y| and the Euler-Lagrange residual
max_t |D^2 h(t) / zeta(t) - lambda(t)| / max|lambda| over interior test points (central second
difference of the quad route), which certifies h''/zeta is the continuous piecewise-linear
function with zero ends that the solve produced.

g_K (:func:`kernel_interpolant`): the minimum-norm interpolant in the net's tangent kernel at
initialization, g_K = f0 + Theta(., X) Theta(X, X)^{-1} (y - f0(X)), optionally with affine
functions unpenalized (a bordered system). Certificate: relative interpolation residual of the
linear solve vs a cond * u bound.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.integrate
import scipy.interpolate

from .certificate import Certificate

EPS = np.finfo(float).eps
_GL_X, _GL_W = np.polynomial.legendre.leggauss(48)


def _zero(x):
    return np.zeros_like(np.asarray(x, dtype=float))


@dataclass
class CurvatureSpline:
    """g = f0 + alpha + beta x + int_{x_1}^x (x - t) zeta(t) lambda(t) dt on S = [x_1, x_M]."""

    knots: np.ndarray
    lam: np.ndarray  # lambda at the knots (zero at both ends)
    alpha: float
    beta: float
    zeta: Callable[[np.ndarray], np.ndarray]
    f0: Callable[[np.ndarray], np.ndarray]

    def lam_at(self, t) -> np.ndarray:
        return np.interp(t, self.knots, self.lam)

    def _moments(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """int_a^b zeta lambda dt and int_a^b t zeta lambda dt, vectorized over pairs (a, b)."""
        half = 0.5 * (b - a)
        t = 0.5 * (a + b)[:, None] + half[:, None] * _GL_X
        f = self.zeta(t) * self.lam_at(t) * half[:, None]
        return f @ _GL_W, (f * t) @ _GL_W

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        flat = np.clip(x.reshape(-1), self.knots[0], self.knots[-1])
        kn = self.knots
        A0, B0 = self._moments(kn[:-1], kn[1:])
        cA, cB = np.concatenate([[0.0], np.cumsum(A0)]), np.concatenate([[0.0], np.cumsum(B0)])
        i = np.clip(np.searchsorted(kn, flat, side="right") - 1, 0, kn.size - 2)
        A1, B1 = self._moments(kn[i], flat)
        A, B = cA[i] + A1, cB[i] + B1
        h = self.alpha + self.beta * flat + flat * A - B
        return (h + self.f0(flat)).reshape(x.shape)

    def h_quad(self, x: float) -> float:
        """h(x) by adaptive quadrature (the independent route of the certificate)."""
        f = lambda t: (x - t) * float(self.zeta(np.array(t))) * float(self.lam_at(t))
        pts = [p for p in self.knots if self.knots[0] < p < x]
        if x <= self.knots[0]:
            return self.alpha + self.beta * x
        with warnings.catch_warnings():  # quad may flag round-off at epsrel 1e-13; the certificate measures the result
            warnings.simplefilter("ignore", scipy.integrate.IntegrationWarning)
            v = scipy.integrate.quad(f, self.knots[0], x, points=pts or None, epsabs=1e-15, epsrel=1e-13, limit=200)[0]
        return self.alpha + self.beta * x + v


def curvature_spline(x, y, zeta: Callable, f0: Callable | None = None,
                     certify: bool = True) -> tuple[CurvatureSpline, Certificate]:
    """Solve problem (5) exactly (see module docstring); returns (g*, certificate). With
    ``certify=False`` the (quadrature-based, ~50 quad calls) certificate is replaced by the linear
    solve's condition number only: for the cardinal splines of a linear map, whose independent
    certificate the caller obtains otherwise."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    order = np.argsort(x)
    x, y = x[order], y[order]
    if np.any(np.diff(x) <= 0):
        raise ValueError("knots must be distinct")
    f0 = f0 or _zero
    M = x.size
    r = y - f0(x)
    cols = [np.ones(M), x.copy()]
    for k in range(1, M - 1):
        lam = np.zeros(M)
        lam[k] = 1.0
        basis = CurvatureSpline(x, lam, 0.0, 0.0, zeta, _zero)
        cols.append(basis(x))
    S = np.stack(cols, axis=1)
    coef = np.linalg.solve(S, r)
    lam = np.zeros(M)
    lam[1:-1] = coef[2:]
    g = CurvatureSpline(x, lam, float(coef[0]), float(coef[1]), zeta, f0)
    cond = float(np.linalg.cond(S))
    if not certify:
        return g, Certificate("curvature spline (uncertified here: condition of the solve only)",
                              {"solve_condition_x_u": cond * EPS}, 1e-6)
    return g, spline_certificate(g, y, cond=cond)


def spline_certificate(g: CurvatureSpline, y: np.ndarray, cond: float = 1.0) -> Certificate:
    kn = g.knots
    scale_y = max(float(np.max(np.abs(y))), 1e-300)
    interp = max(abs(g.h_quad(xj) + float(g.f0(np.array(xj))) - yj) for xj, yj in zip(kn, y)) / scale_y
    lam_scale = max(float(np.max(np.abs(g.lam))), 1e-300)
    el = 0.0
    for a, b in zip(kn[:-1], kn[1:]):
        d = 1e-3 * (b - a)
        for s in (0.2, 0.5, 0.8):
            t = a + s * (b - a)
            d2 = (g.h_quad(t + d) - 2.0 * g.h_quad(t) + g.h_quad(t - d)) / d**2
            el = max(el, abs(d2 / float(g.zeta(np.array(t))) - float(g.lam_at(t))))
    el /= lam_scale
    # interpolation: backward-stable solve (cond * u) + quad accuracy; EL: second difference with
    # step 1e-3 (truncation ~1e-7 relative) and quad round-off amplified by 1/d^2
    tol = max(1e-5, 100.0 * cond * EPS)
    return Certificate("curvature spline g* (interpolation + Euler-Lagrange h''/zeta piecewise linear)",
                       {"interpolation": interp, "euler_lagrange": el}, tol)


def natural_cubic_spline(x, y) -> tuple[Callable, Certificate]:
    """The natural cubic spline (g* for constant zeta, f0 = 0) by scipy; certificate: interpolation
    residual and the natural end conditions g''(x_1) = g''(x_M) = 0."""
    order = np.argsort(x)
    x, y = np.asarray(x, float)[order], np.asarray(y, float)[order]
    cs = scipy.interpolate.CubicSpline(x, y, bc_type="natural")
    scale = max(float(np.max(np.abs(y))), 1e-300)
    res = {"interpolation": float(np.max(np.abs(cs(x) - y))) / scale,
           "natural_ends": float(max(abs(cs(x[0], 2)), abs(cs(x[-1], 2)))) / max(float(np.max(np.abs(cs(x, 2)))), 1e-300)}
    return (lambda t: cs(np.clip(t, x[0], x[-1]))), Certificate("natural cubic spline (scipy)", res, 1e-9)


@dataclass
class KernelInterpolant:
    """g(t) = f0(t) + sum_j coef_j K(t, x_j) + affine[0] + affine[1] t."""

    x: np.ndarray
    coef: np.ndarray
    affine: np.ndarray
    kernel: Callable[[np.ndarray, np.ndarray], np.ndarray]
    f0: Callable[[np.ndarray], np.ndarray]

    def __call__(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        flat = t.reshape(-1)
        out = self.kernel(flat, self.x) @ self.coef + self.affine[0] + self.affine[1] * flat + self.f0(flat)
        return out.reshape(t.shape)


def kernel_interpolant(kernel: Callable[[np.ndarray, np.ndarray], np.ndarray], x, y, f0: Callable | None = None,
                       affine_free: bool = False) -> tuple[KernelInterpolant, Certificate]:
    """Min-norm interpolant of (x, y - f0(x)) in the RKHS of ``kernel``, plus f0; with
    ``affine_free`` the affine part is unpenalized (bordered system [[K, A], [A^T, 0]])."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    f0 = f0 or _zero
    r = y - f0(x)
    K = kernel(x, x)
    M = x.size
    if affine_free:
        A = np.stack([np.ones(M), x], axis=1)
        S = np.block([[K, A], [A.T, np.zeros((2, 2))]])
        sol = np.linalg.solve(S, np.concatenate([r, [0.0, 0.0]]))
        alpha, ab = sol[:M], sol[M:]
    else:
        S = K
        alpha, ab = np.linalg.solve(K, r), np.zeros(2)

    g = KernelInterpolant(x, alpha, ab, kernel, f0)
    cond = float(np.linalg.cond(S))
    scale = max(float(np.max(np.abs(y))), 1e-300)
    res = {"interpolation": float(np.max(np.abs(g(x) - y))) / scale}
    return g, Certificate("tangent-kernel interpolant (linear solve)", res, max(1e-10, 100.0 * M * cond * EPS))


def arccos_kernel_gaussian(sw: float, sb: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Infinite-width feature kernel K(x, z) = E[relu(W x + B) relu(W z + B)], W ~ N(0, sw^2),
    B ~ N(0, sb^2): the degree-1 arc-cosine kernel ||u|| ||v|| (sin t + (pi - t) cos t) / (2 pi)
    of u = (sw x, sb), v = (sw z, sb), t = angle(u, v) (Cho & Saul 2009). In the standard
    parametrization the net's tangent kernel is n K + O(1), so with the linear part trained at the
    same rate the net's limit is the K-interpolant (affine part penalized by K's RKHS norm)."""

    def K(x, z):
        x = np.asarray(x, dtype=float)[:, None]
        z = np.asarray(z, dtype=float)[None, :]
        nu = np.sqrt(sw**2 * x**2 + sb**2)
        nv = np.sqrt(sw**2 * z**2 + sb**2)
        cos = np.clip((sw**2 * x * z + sb**2) / (nu * nv), -1.0, 1.0)
        t = np.arccos(cos)
        return nu * nv * (np.sin(t) + (np.pi - t) * cos) / (2.0 * np.pi)

    return K
