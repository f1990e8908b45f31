"""Curvature splines of degree 2k+1 weighted by 1/zeta: the limits of wide nets with activation
x_+^k / k! (Jin & Montufar 2023, Thm 1 and Cor 4 of the JMLR version; note 002 Theorems 5 and 9).

    g* = argmin_g int_S (D^{k+1} (g - f0))^2 / zeta   s.t.  g(x_j) = y_j,   S = [x_1, x_M],

polynomials of degree <= k free (the null space of D^{k+1}), and the smoothing version

    s_lam = argmin_g sum_j (g(x_j) - y_j)^2 + lam int_S (D^{k+1} (g - f0))^2 / zeta

(Remark 5 / Appendix N, problem (168), for k = 1).

Derivation (the representer of both). Write u = D^{k+1} h, h = g - f0. The constraints are linear
functionals of u: h(x_j) = p(x_j) + int_{x_1}^{x_j} (x_j - t)^k / k! u(t) dt with p a polynomial
of degree <= k. Stationarity of the Lagrangian gives u(t) = zeta(t) sum_j alpha_j phi_k(x_j - t),
phi_k(z) = z_+^k / k!, with sum_j alpha_j x_j^i = 0 for i = 0..k (so u vanishes left of x_1).
Then h = G(., X) alpha + V beta, G(x, z) = int_{x_1} zeta(t) phi_k(x - t) phi_k(z - t) dt, V the
Vandermonde matrix of degree k, and the conditions are the bordered system

    [[G + lam I, V], [V^T, 0]] [alpha; beta] = [y - f0(X); 0]      (lam = 0: interpolation),

with penalty value int u^2 / zeta = alpha^T G alpha. For k = 1 and lam = 0, u/zeta = g''/zeta is
piecewise linear with zero ends (the natural cubic spline when zeta is constant); for k = 2 it is
piecewise quadratic and C^1 with zero value and slope at the ends (a quintic spline).

The Gram entries and the evaluation use composite Gauss-Legendre on every knot interval (8 panels
of 24 nodes: the integrand is a polynomial times zeta there, smooth but possibly sharply peaked);
the certificate compares the Gram matrix with the one on twice the panels. Closed forms of zeta for a
Gaussian initialization W ~ N(0, sw^2), B ~ N(0, sb^2) (derived: zeta_k(c) = int |w|^(2k+1)
p(w, -w c) dw = p_C(c) E[W^(2k) | C = c]):

    zeta_k(c) = 2^k k! (sw sb)^(2k+1) / (pi (sb^2 + c^2 sw^2)^(k+1))    (k = 1: Thm 2(a)).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.integrate

from .certificate import Certificate

EPS = np.finfo(float).eps
_GL_X, _GL_W = np.polynomial.legendre.leggauss(24)
PIECES = 8  # Gauss-Legendre panels per knot interval


def zeta_gaussian_k(x, sw: float, sb: float, k: int) -> np.ndarray:
    """p_C E[W^(2k) | C] for independent W ~ N(0, sw^2), B ~ N(0, sb^2) (module docstring)."""
    x = np.asarray(x, dtype=float)
    return 2.0**k * math.factorial(k) * (sw * sb) ** (2 * k + 1) / (np.pi * (sb**2 + x**2 * sw**2) ** (k + 1))


def zeta_quadrature_k(density: Callable[[float, float], float], x, k: int) -> tuple[np.ndarray, Certificate]:
    """zeta_k(x) = int |w|^(2k+1) p(w, -w x) dw by adaptive quadrature (split at w = 0)."""
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    vals, errs = np.empty(xs.size), np.empty(xs.size)
    for i, xi in enumerate(xs):
        f = lambda w: abs(w) ** (2 * k + 1) * density(w, -w * xi)
        a, ea = scipy.integrate.quad(f, -np.inf, 0.0, epsabs=0.0, epsrel=1e-12, limit=200)
        b, eb = scipy.integrate.quad(f, 0.0, np.inf, epsabs=0.0, epsrel=1e-12, limit=200)
        vals[i], errs[i] = a + b, ea + eb
    rel = float(np.max(errs / np.maximum(np.abs(vals), 1e-300)))
    return vals.reshape(np.shape(x)), Certificate(f"zeta_{k} by quad (relative error estimate)", {"quad_error": rel}, 1e-8)


def phi_k(z, k: int) -> np.ndarray:
    return np.maximum(z, 0.0) ** k / math.factorial(k)


def truncated_gram(knots: np.ndarray, points: np.ndarray, zeta: Callable, k: int, pieces: int = PIECES) -> np.ndarray:
    """G(e, x_j) = int_{x_1}^{min(e, x_j)} zeta(t) phi_k(e - t) phi_k(x_j - t) dt for e in ``points``
    (composite Gauss-Legendre: every knot interval, the last one cut at e, split into ``pieces``
    equal parts with 24 nodes each -- zeta may be sharply peaked on a long knot interval)."""
    kn = np.asarray(knots, dtype=float)
    e = np.asarray(points, dtype=float).reshape(-1)
    lo = kn[:-1][None, :]  # (1, M-1)
    hi = np.minimum(kn[1:][None, :], e[:, None])  # (E, M-1)
    length = np.maximum(hi - lo, 0.0)
    sub = length / pieces
    starts = lo[..., None] + sub[..., None] * np.arange(pieces)  # (E, M-1, pieces)
    t = (starts[..., None] + 0.5 * sub[..., None, None] * (_GL_X + 1.0)).reshape(*length.shape, -1)  # (E, M-1, Q)
    wq = np.tile(_GL_W, pieces)
    w = 0.5 * sub[..., None] * wq * zeta(t) * phi_k(e[:, None, None] - t, k)  # (E, M-1, Q)
    basis = phi_k(kn[None, None, None, :] - t[..., None], k)  # (E, M-1, Q, M)
    return np.einsum("emq,emqj->ej", w, basis)


@dataclass
class SplineK:
    """g = f0 + G(., X) alpha + V beta on S (see module docstring)."""

    knots: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    k: int
    zeta: Callable
    lam: float = 0.0
    f0: Callable | None = None

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        flat = x.reshape(-1)
        out = truncated_gram(self.knots, flat, self.zeta, self.k) @ self.alpha
        out += np.vander(flat, self.k + 1, increasing=True) @ self.beta
        if self.f0 is not None:
            out += self.f0(flat)
        return out.reshape(x.shape)

    @property
    def penalty(self) -> float:
        """int_S (D^{k+1}(g - f0))^2 / zeta = alpha^T G alpha."""
        G = truncated_gram(self.knots, self.knots, self.zeta, self.k)
        return float(self.alpha @ G @ self.alpha)

    def ell(self, t) -> np.ndarray:
        """u / zeta = sum_j alpha_j phi_k(x_j - t): D^{k+1}(g - f0) / zeta."""
        t = np.asarray(t, dtype=float)
        return phi_k(self.knots[None, :] - t.reshape(-1)[:, None], self.k) @ self.alpha


def spline_k(x, y, zeta: Callable, k: int = 1, lam: float = 0.0, f0: Callable | None = None) -> tuple[SplineK, Certificate]:
    """The degree-2k+1 curvature spline (lam = 0) or smoothing spline (lam > 0); returns (g, certificate
    of the bordered solve: relative residual and the moment conditions, against cond * u)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    order = np.argsort(x)
    x, y = x[order], y[order]
    if np.any(np.diff(x) <= 0):
        raise ValueError("knots must be distinct")
    if lam < 0:
        raise ValueError("lam must be >= 0")
    M = x.size
    if M < k + 2:
        raise ValueError(f"need at least k + 2 = {k + 2} data points")
    r = y - (f0(x) if f0 is not None else 0.0)
    G = truncated_gram(x, x, zeta, k)
    G2 = truncated_gram(x, x, zeta, k, pieces=2 * PIECES)  # the quadrature's own check: twice the panels
    quad_err = float(np.max(np.abs(G - G2))) / max(float(np.max(np.abs(G2))), 1e-300)
    V = np.vander(x, k + 1, increasing=True)
    S = np.block([[G + lam * np.eye(M), V], [V.T, np.zeros((k + 1, k + 1))]])
    rhs = np.concatenate([r, np.zeros(k + 1)])
    sol = np.linalg.solve(S, rhs)
    alpha, beta = sol[:M], sol[M:]
    cond = float(np.linalg.cond(S))
    scale = float(np.linalg.norm(S, np.inf) * np.linalg.norm(sol, np.inf) + np.linalg.norm(rhs, np.inf))
    res = float(np.linalg.norm(S @ sol - rhs, np.inf)) / max(scale, 1e-300)
    g = SplineK(x, alpha, beta, k, zeta, lam, f0)
    cert = Certificate(f"degree-{2 * k + 1} {'smoothing' if lam > 0 else 'curvature'} spline (bordered solve; Gram "
                       f"quadrature vs twice the panels)", {"relative_residual": res, "gram_quadrature": quad_err},
                       max(1e-11, 100.0 * cond * EPS))
    return g, cert


__all__ = ["SplineK", "phi_k", "spline_k", "truncated_gram", "zeta_gaussian_k", "zeta_quadrature_k"]
