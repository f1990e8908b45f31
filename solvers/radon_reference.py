"""An approximate reference for Jin & Montufar's multivariate theorem at d = 2, with its own error
estimate: the Radon-domain variational problem discretized over directions.

Jin & Montufar 2023 (JMLR), Thm 6 (note 002, Theorem 8): for (W, B) symmetric with U = ||W||,
V = W/U, C = -B/U and zeta(v, c) = p_{V,C}(v, c) E[U^2 | v, c], the trained net tends to

    g* = argmin int (R{(-Delta)^{(d+1)/2} (g - f0)}(v, c))^2 / zeta(v, c) dv dc   s.t. g(x_j) = y_j,

affine functions free (the linear adjustment / skip connections). Representer (derived as in one
dimension): g - f0 = int alpha(v, c) [<v, x> - c]_+ dv dc + affine, the objective is (up to a
constant) int alpha_even^2 / zeta, and the minimizer is the interpolant in the kernel

    K(x, z) = int_{S^{d-1}} int_R zeta(v, c) [<v, x> - c]_+ [<v, z> - c]_+ dc dv  (= E[relu(Wx+B) relu(Wz+B)])

with affine functions free: [[K, A], [A^T, 0]] [lam; mu] = [y - f0(X); 0], A = [1, x]. Offsets
|c| > R = max_j ||x_j|| contribute nothing on the data (the feature vanishes, or is affine and
annihilated by A^T lam = 0), so c runs over [-R, R].

Discretization (:func:`radon_kernel`): N equispaced directions (the trapezoid rule on the circle);
for each direction the c-integral of zeta(c) (p - c)(q - c) over [-R, min(p, q)] exactly from the
moments of zeta (closed-form antiderivatives for the two initializations below; Gauss-Legendre for
any other zeta). The direction sum is then the only approximation; its error estimate
(:func:`radon_interpolant`) is the sup difference between the solutions at N and N/2 directions on
the evaluation points (the N/2 solution's error, a conservative bound for the N one when the rule
converges). zeta for the initializations used (derived):

* Gaussian W ~ N(0, sw^2 I_2), B ~ N(0, sb^2): zeta(c) = 3 sw^3 sb^4 / (4 pi (sb^2 + c^2 sw^2)^(5/2));
* uniform: V uniform on the circle, ||W|| = 1, B ~ U(-a_b, a_b): zeta = 1/(4 pi a_b) on |c| <= a_b
  (constant: g* is the polyharmonic spline sum lam_j ||x - x_j||^3 + affine, JMLR Thms 7-8).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .certificate import Certificate

EPS = np.finfo(float).eps
_GL_X, _GL_W = np.polynomial.legendre.leggauss(32)


class GaussianRadonZeta:
    """zeta(c) = 3 sw^3 sb^4 / (4 pi (sb^2 + c^2 sw^2)^(5/2)) with exact moments int c^m zeta, m = 0, 1, 2:
    with s = sb/sw and Z = (s^2 + c^2)^(3/2), the antiderivatives of c^m (s^2 + c^2)^(-5/2) are
    c (2c^2 + 3s^2)/(3 s^4 Z), -1/(3 Z) and c^3/(3 s^2 Z)."""

    def __init__(self, sw: float, sb: float):
        self.sw, self.sb = float(sw), float(sb)
        self.s2 = (self.sb / self.sw) ** 2
        self.A = 3.0 * self.sb**4 / (4.0 * np.pi * self.sw**2)

    def __call__(self, c):
        return zeta_radon_gaussian(c, self.sw, self.sb)

    def _anti(self, c):
        s2 = self.s2
        Z = (s2 + c**2) ** 1.5
        return (c * (2.0 * c**2 + 3.0 * s2) / (3.0 * s2**2 * Z), -1.0 / (3.0 * Z), c**3 / (3.0 * s2 * Z))

    def moments(self, lo, hi):
        a, b = self._anti(lo), self._anti(hi)
        return tuple(self.A * (bb - aa) for aa, bb in zip(a, b))


class UniformRadonZeta:
    """zeta = 1/(4 pi a_b) on |c| <= a_b, with exact moments."""

    def __init__(self, a_b: float):
        self.a_b = float(a_b)

    def __call__(self, c):
        return zeta_radon_uniform(c, self.a_b)

    def moments(self, lo, hi):
        lo, hi = np.clip(lo, -self.a_b, self.a_b), np.clip(hi, -self.a_b, self.a_b)
        hi = np.maximum(hi, lo)
        k = 1.0 / (4.0 * np.pi * self.a_b)
        return k * (hi - lo), k * (hi**2 - lo**2) / 2.0, k * (hi**3 - lo**3) / 3.0


def zeta_radon_gaussian(c, sw: float, sb: float) -> np.ndarray:
    c = np.asarray(c, dtype=float)
    return 3.0 * sw**3 * sb**4 / (4.0 * np.pi * (sb**2 + c**2 * sw**2) ** 2.5)


def zeta_radon_uniform(c, a_b: float) -> np.ndarray:
    c = np.asarray(c, dtype=float)
    return np.where(np.abs(c) <= a_b, 1.0 / (4.0 * np.pi * a_b), 0.0)


def radon_kernel(X, Z, zeta: Callable, n_dir: int, R: float, breaks: tuple[float, ...] = ()) -> np.ndarray:
    """sum over n_dir directions (weight 2 pi / n_dir) of int_{-R}^{min(p,q)} zeta(c)(p - c)(q - c) dc,
    p = <v, x>, q = <v, z>: exactly when ``zeta`` has ``moments(lo, hi)`` (int c^m zeta, m = 0, 1, 2),
    else by Gauss-Legendre in c split at ``breaks`` (kinks of zeta)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Z = np.atleast_2d(np.asarray(Z, dtype=float))
    th = 2.0 * np.pi * np.arange(n_dir) / n_dir
    Vd = np.stack([np.cos(th), np.sin(th)], axis=1)  # (N, 2)
    P = Vd @ X.T  # (N, nx)
    Q = Vd @ Z.T  # (N, nz)
    top = np.maximum(np.minimum(P[:, :, None], Q[:, None, :]), -R)  # (N, nx, nz)
    w = 2.0 * np.pi / n_dir
    if hasattr(zeta, "moments"):
        m0, m1, m2 = zeta.moments(np.full_like(top, -R), top)
        Pb, Qb = P[:, :, None], Q[:, None, :]
        return w * np.sum(Pb * Qb * m0 - (Pb + Qb) * m1 + m2, axis=0)
    K = np.zeros((X.shape[0], Z.shape[0]))
    cuts = sorted({-R, *[b for b in breaks if -R < b < R]})
    for lo_b, hi_b in zip(cuts, cuts[1:] + [np.inf]):
        hi = np.minimum(top, hi_b)
        length = np.maximum(hi - lo_b, 0.0)
        c = lo_b + 0.5 * length[..., None] * (_GL_X + 1.0)  # (N, nx, nz, q)
        f = zeta(c) * (P[:, :, None, None] - c) * (Q[:, None, :, None] - c)
        K += w * np.einsum("nabq,q->ab", f * (0.5 * length[..., None]), _GL_W)
    return K


@dataclass
class RadonInterpolant:
    """g = f0 + K(., X) lam + mu_0 + <mu, x> at ``n_dir`` directions."""

    X: np.ndarray
    lam: np.ndarray
    mu: np.ndarray
    zeta: Callable
    n_dir: int
    R: float
    breaks: tuple[float, ...] = ()
    f0: Callable | None = None

    def __call__(self, E) -> np.ndarray:
        E = np.atleast_2d(np.asarray(E, dtype=float))
        out = np.empty(E.shape[0])
        for s in range(0, E.shape[0], 64):
            e = E[s:s + 64]
            out[s:s + 64] = radon_kernel(e, self.X, self.zeta, self.n_dir, self.R, self.breaks) @ self.lam
        out += self.mu[0] + E @ self.mu[1:]
        if self.f0 is not None:
            out += self.f0(E)
        return out


def _solve(X, r, zeta, n_dir, R, breaks):
    M = X.shape[0]
    K = radon_kernel(X, X, zeta, n_dir, R, breaks)
    A = np.hstack([np.ones((M, 1)), X])
    S = np.block([[K, A], [A.T, np.zeros((3, 3))]])
    sol = np.linalg.solve(S, np.concatenate([r, np.zeros(3)]))
    return sol[:M], sol[M:], float(np.linalg.cond(S))


def radon_interpolant(X, y, zeta: Callable, eval_points, n_dir: int = 256, breaks: tuple[float, ...] = (),
                      f0: Callable | None = None) -> tuple[RadonInterpolant, Certificate, float]:
    """g* at ``n_dir`` directions, its certificate (interpolation residual of the bordered solve) and
    the error estimate sup_E |g_N - g_{N/2}| on ``eval_points`` (see module docstring)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if X.shape[1] != 2:
        raise ValueError(f"the Radon reference is for d = 2 inputs, got d = {X.shape[1]}")
    y = np.asarray(y, dtype=float)
    r = y - (f0(X) if f0 is not None else 0.0)
    R = float(np.max(np.linalg.norm(X, axis=1))) * (1.0 + 1e-12)
    lam, mu, cond = _solve(X, r, zeta, n_dir, R, breaks)
    g = RadonInterpolant(X, lam, mu, zeta, n_dir, R, tuple(breaks), f0)
    lam2, mu2, _ = _solve(X, r, zeta, n_dir // 2, R, breaks)
    coarse = RadonInterpolant(X, lam2, mu2, zeta, n_dir // 2, R, tuple(breaks), f0)
    E = np.atleast_2d(np.asarray(eval_points, dtype=float))
    err = float(np.max(np.abs(g(E) - coarse(E))))
    scale = max(float(np.max(np.abs(y))), 1e-300)
    interp = float(np.max(np.abs(g(X) - y))) / scale
    cert = Certificate(f"Radon-domain interpolant ({n_dir} directions, bordered solve)",
                       {"interpolation": interp}, max(1e-10, 100.0 * cond * EPS))
    return g, cert, err


__all__ = ["GaussianRadonZeta", "RadonInterpolant", "UniformRadonZeta", "radon_interpolant", "radon_kernel", "zeta_radon_gaussian", "zeta_radon_uniform"]
