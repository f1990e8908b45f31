"""Closed-form limits of factorized sensing with commuting measurements, certified.

Setting (Gunasekar et al. 2017, sec. 3; notes 004 "If X_i, beta_0 commute"): symmetric A_i = Q diag(a_i) Q^T
and a start X0 = Q diag(x0) Q^T that commute. Then every iterate of the flow stays Q diag(x(t)) Q^T:

* depth 2, X = U U^T (U' = -2 A*(r) U): x' = -4 (a^T r) o x, so log x(inf) = log x0 + a^T nu
  (nu = -4 int r), i.e. x(inf) = argmin sum_k x_k log(x_k / x0_k) - x_k s.t. a x = y (the KL / negative
  entropy Bregman projection of x0, claim 2's mathematics in the shared eigenbasis). Solved by the
  dual Newton of :mod:`solvers.bregman` (:func:`kl_limit`).
* depth N >= 3, X = W_N .. W_1 with balanced factors: each eigenvalue x = sigma^N with
  sigma' = -sigma^(N-1) (a^T r), so d sigma^(2-N)/dt = (N-2) a^T r and
      x(inf) = x0 (1 - c o a^T nu)^(-p),  p = N/(N-2),  c = (N-2) x0^((N-2)/N),  nu = -int r,
  a "one-sided" depth-N map (entry 6's h_D has a second, negative branch; here x > 0 forces
  c a^T nu < 1). Equivalently x(inf) = argmin sum_k psi_k(x_k) s.t. a x = y with
  psi_k'(x) = (1 - (x/x0_k)^(-1/p)) / c_k (convex). Solved by :func:`one_sided_depth_limit`: damped
  Newton on the dual F(nu) = sum_k (x0_k / c_k) H(c_k a_k^T nu) - y^T nu, H(u) = ((1-u)^(1-p) - 1)/(p - 1)
  (grad F = a x(nu) - y, Hessian a diag(p c x0 (1-u)^(-p-1)) a^T), keeping u < 1.

The eigenbasis is found from the data (:func:`joint_eigenbasis`: eigenvectors of a random
combination of the A_i and X0).
"""
from __future__ import annotations

import numpy as np

from .certificate import Certificate
from .newton import newton_direction

EPS = np.finfo(float).eps


def joint_eigenbasis(mats: np.ndarray, seed: int = 20170525) -> np.ndarray:
    """Q with Q^T M Q diagonal for every M in ``mats`` (symmetric, commuting): eigenvectors of a
    random combination (distinct joint spectra are separated with probability one)."""
    mats = np.asarray(mats, float)
    c = np.random.default_rng(seed).standard_normal(mats.shape[0])
    M = np.einsum("k,kij->ij", c, mats)
    _, Q = np.linalg.eigh(0.5 * (M + M.T))
    return Q


def diagonals(mats: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """diag(Q^T M_k Q) for each k (rows)."""
    return np.einsum("ik,mij,jk->mk", Q, np.asarray(mats, float), Q)


def off_diagonality(mats: np.ndarray, Q: np.ndarray) -> float:
    """max_k ||offdiag(Q^T M_k Q)||_F / ||M_k||_F: 0 when Q diagonalizes every M_k."""
    out = 0.0
    for M in np.asarray(mats, float):
        D = Q.T @ M @ Q
        off = D - np.diag(np.diag(D))
        out = max(out, float(np.linalg.norm(off)) / max(float(np.linalg.norm(M)), 1e-300))
    return out


def kl_limit(a: np.ndarray, y: np.ndarray, x0: np.ndarray):
    """argmin sum x log(x/x0) - x s.t. a x = y (x > 0): the dual Newton of solvers.bregman."""
    from models.mirror_descent import negative_entropy

    from .bregman import bregman_projection

    with np.errstate(over="ignore"):  # exp overflow in rejected line-search trials (they are rejected as inf)
        return bregman_projection(np.asarray(a, float), np.asarray(y, float), np.asarray(x0, float), negative_entropy())


def _H(u, p):
    """Antiderivative of (1 - u)^(-p) with H(0) = 0 (-log(1 - u) at p = 1)."""
    if abs(p - 1.0) < 1e-12:
        return -np.log1p(-u)
    return ((1.0 - u) ** (1.0 - p) - 1.0) / (p - 1.0)


def one_sided_depth_limit(a: np.ndarray, y: np.ndarray, x0: np.ndarray, depth: int, exponent: float | None = None,
                          max_iter: int = 300):
    """x(inf) = x0 (1 - c o a^T nu)^(-p) with a x = y (module docstring). ``exponent`` overrides
    p = N/(N-2) (a mutant). Returns (x, nu, Certificate)."""
    a, y, x0 = np.asarray(a, float), np.asarray(y, float), np.asarray(x0, float)
    N = int(depth)
    if N < 3:
        raise ValueError("the one-sided depth-N map needs N >= 3 (N = 2 is the KL projection)")
    p = float(N / (N - 2.0) if exponent is None else exponent)
    c = (N - 2.0) * x0 ** ((N - 2.0) / N)
    w = x0 / c
    m = a.shape[0]
    nu = np.zeros(m)

    def F(v):
        u = c * (a.T @ v)
        if np.max(u) >= 1.0:
            return np.inf
        return float(np.sum(w * _H(u, p))) - float(y @ v)

    def xs(v):
        return x0 * (1.0 - c * (a.T @ v)) ** (-p)

    f = F(nu)
    it = 0
    ynorm = float(np.linalg.norm(y))
    for it in range(1, max_iter + 1):
        x = xs(nu)
        g = a @ x - y
        if float(np.linalg.norm(g)) <= 4.0 * EPS * (float(np.linalg.norm(a, 2)) * float(np.linalg.norm(x)) + ynorm):
            break
        u = c * (a.T @ nu)
        Hs = (a * (p * c * x0 * (1.0 - u) ** (-p - 1.0))) @ a.T
        step = newton_direction(0.5 * (Hs + Hs.T), g)
        du = c * (a.T @ step)
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(du > 0, (1.0 - u) / du, np.inf)
        t = min(1.0, 0.99 * float(np.min(room)))
        dec = float(-g @ step)
        accepted = False
        while t > 1e-30:
            trial = nu + t * step
            ft = F(trial)
            if np.isfinite(ft) and (ft <= f - 1e-4 * t * dec or
                                    float(np.linalg.norm(a @ xs(trial) - y)) < 0.9 * float(np.linalg.norm(g))):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        moved = float(np.linalg.norm(trial - nu))
        nu, f = trial, ft
        if moved <= 4.0 * EPS * float(np.linalg.norm(nu)):
            break
    x = xs(nu)
    cert = one_sided_certificate(a, y, x0, c, p, x, it)
    return x, nu, cert


def one_sided_certificate(a, y, x0, c, p, x, iterations) -> Certificate:
    """KKT of the one-sided map from the primal side: a x = y, x > 0 and
    (1 - (x/x0)^(-1/p)) / c in row(a) (recomputed from x, not from the dual iterate)."""
    scale = max(float(np.linalg.norm(x)), 1e-300)
    resid = float(np.linalg.norm(a @ x - y)) / (float(np.linalg.norm(a, 2)) * scale + float(np.linalg.norm(y)))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (1.0 - (x / x0) ** (-1.0 / p)) / c
    Qr, _ = np.linalg.qr(a.T)
    null = float(np.linalg.norm(z - Qr @ (Qr.T @ z))) / max(float(np.linalg.norm(z)), 1e-300)
    # the map's slope p c x0 (1-u)^(-p-1) amplifies rounding of u = c a^T nu near the barrier
    u = 1.0 - (x / x0) ** (-1.0 / p)
    amp = float(np.max(1.0 / np.maximum(1.0 - u, 1e-300)))
    tol = 100.0 * max(a.shape) * float(np.linalg.cond(a)) * max(1.0, amp) * EPS
    return Certificate(f"one-sided depth map (p = {p:.4g}; dual Newton, {iterations} it.): a x = y, x > 0, "
                       "(1 - (x/x0)^(-1/p))/c in row(a)",
                       {"primal_residual": resid, "stationarity_null_component": null,
                        "negativity": float(max(0.0, -float(np.min(x)))) / scale}, tol)


__all__ = ["diagonals", "joint_eigenbasis", "kl_limit", "off_diagonality", "one_sided_certificate",
           "one_sided_depth_limit"]
