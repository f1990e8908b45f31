"""The training trajectory of a wide net in function space: the smoothing spline of Remark 5 and the
exact infinite-width GD trajectory, in one spline basis.

Jin & Montufar 2023 (JMLR), Remark 5 and Appendix N (note 002, "Optimization trajectory in function
space"): after t GD steps with learning rate eta_bar / n, the net is approximated by

    s_lam = argmin_g sum_j (g(x_j) - y_j)^2 + lam int_S (g'' - f0'')^2 / zeta,   lam = 1 / (eta_bar t).

Normalization, pinned (derived, not in the paper's main text): with the loss L = 1/2 sum_j
(f(x_j) - y_j)^2 (a sum with 1/2) and the GD step eta = eta_bar / n, the infinite-width net moves
by eta_bar t K y to first order in t, and so does s_lam with lam = 1/(eta_bar t); with the mean
(1/M) in the loss lam becomes M/(eta_bar t), without the 1/2 it becomes 1/(2 eta_bar t).

The exact infinite-width trajectory (the same derivation): in the standard parametrization the
tangent kernel is n K + O(1), K(x, z) = E[phi(Wx + B) phi(Wz + B)], and on the data, modulo the free
polynomials, K equals the truncated-power Gram G of :mod:`solvers.curvature_spline_k` (the
difference is a polynomial of degree <= k in each argument, annihilated by the projection P onto
their orthogonal complement). With the free part at its least-squares optimum, the residual obeys
r_{s+1} = (I - eta_bar P G P) r_s, r_0 = -P (y - f0(X)), and the function after t steps is
g_t = f0 + G(., X) alpha_t + V beta_t with alpha_t = -eta_bar sum_{s<t} r_s (so V^T alpha_t = 0:
g_t is a curvature spline, the interpolant of its own data values). In the eigenbasis (mu_j, v_j)
of P G P on range(P):

    GD:        <v_j, P g_t(X)> = (1 - (1 - eta_bar mu_j)^t) <v_j, P y>,
    smoothing: <v_j, P s_lam(X)> = mu_j / (mu_j + lam) <v_j, P y>.

With s = eta_bar t mu_j the filters are 1 - (1 - eta_bar mu_j)^t (>= 1 - e^-s) and s / (1 + s); their ratio
rho_j(t) = [s/(1+s)] / [1 - (1 - eta_bar mu_j)^t] lies in (0, 1], is 1 - s/2 + O(s^2) for small s and
-> 1 as t -> infinity. So ||P(g_t(X) - s_lam(X))|| <= max_j (1 - rho_j(t)) ||P g_t(X)||: the
smoothing spline tracks the trajectory exactly at both ends and within that filter mismatch in
between (about 0.23 at most for the gradient flow).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .certificate import Certificate
from .curvature_spline_k import SplineK, spline_k, truncated_gram


def smoothing_spline(x, y, zeta: Callable, lam: float, k: int = 1, f0: Callable | None = None):
    """s_lam of Remark 5 (k = 1) or its degree-2k+1 analogue; returns (spline, certificate)."""
    if not lam > 0:
        raise ValueError("the smoothing parameter lam must be > 0 (lam = 0 is the interpolating spline)")
    return spline_k(x, y, zeta, k=k, lam=lam, f0=f0)


def _projector(x: np.ndarray, k: int) -> np.ndarray:
    Q, _ = np.linalg.qr(np.vander(x, k + 1, increasing=True))
    return np.eye(x.size) - Q @ Q.T


def projected_spectrum(x, zeta: Callable, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues mu_j > 0 and eigenvectors (columns) of P G P on range(P), x sorted."""
    x = np.sort(np.asarray(x, dtype=float))
    P = _projector(x, k)
    G = truncated_gram(x, x, zeta, k)
    mu, U = np.linalg.eigh(P @ G @ P)
    keep = np.argsort(mu)[::-1][: x.size - (k + 1)]
    return mu[keep], U[:, keep]


def filter_ratio(mu: np.ndarray, eta_bar: float, t: int, lam: float) -> np.ndarray:
    """rho_j = [mu_j/(mu_j + lam)] / [1 - (1 - eta_bar mu_j)^t]: smoothing filter over GD filter."""
    gd = 1.0 - (1.0 - eta_bar * mu) ** t
    return (mu / (mu + lam)) / gd


def kernel_gd_trajectory(x, y, zeta: Callable, eta_bar: float, steps, k: int = 1,
                         f0: Callable | None = None) -> tuple[list[SplineK], Certificate]:
    """g_t of the module docstring for each t in ``steps`` (exact discrete GD on the limit kernel),
    as splines; certificate: the spectral route's data values vs the explicit recursion."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    order = np.argsort(x)
    x, y = x[order], y[order]
    r0 = y - (f0(x) if f0 is not None else 0.0)
    P = _projector(x, k)
    G = truncated_gram(x, x, zeta, k)
    V = np.vander(x, k + 1, increasing=True)
    pinvV = np.linalg.pinv(V)
    mu, U = projected_spectrum(x, zeta, k)
    if np.any(eta_bar * mu >= 2.0):
        raise ValueError(f"eta_bar mu_max = {eta_bar * mu.max():.3g} >= 2: GD on the limit kernel diverges")
    c = U.T @ (P @ r0)
    out = []
    for t in steps:
        t = int(t)
        alpha = U @ ((1.0 - (1.0 - eta_bar * mu) ** t) / mu * c)
        beta = pinvV @ (r0 - G @ alpha)
        out.append(SplineK(x, alpha, beta, k, zeta, 0.0, f0))
    # independent route: the explicit recursion r_{s+1} = (I - eta_bar P G P) r_s up to the last step
    last = max(int(s) for s in steps) if len(steps) else 0
    PGP = P @ G @ P
    r = -P @ r0
    acc = np.zeros_like(r0)
    worst = 0.0
    wanted = {int(s) for s in steps}
    for s in range(last + 1):
        if s in wanted:
            a_s = -eta_bar * acc
            worst = max(worst, float(np.max(np.abs(a_s - out[sorted(wanted).index(s)].alpha))))
        acc += r
        r = r - eta_bar * (PGP @ r)
    scale = max(max(float(np.max(np.abs(g.alpha))) for g in out) if out else 1.0, 1e-300)
    cert = Certificate("kernel-GD trajectory (spectral formula vs explicit recursion)",
                       {"recursion_mismatch": worst / scale}, max(1e-10, 1e3 * (last + 1) * 2.2e-16))
    return out, cert


__all__ = ["filter_ratio", "kernel_gd_trajectory", "projected_spectrum", "smoothing_spline"]
