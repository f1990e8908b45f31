"""argmin of the general-start potential with a per-coordinate scale and shift, s.t. X beta = y.

Every limit of the depth-2 diagonal flow on the square loss has the form (Woodworth et al. 2020,
Thm 1 and its general-start form; note 004 "linear diagonal net")
    beta = A o e^{z} - B o e^{-z} = R o sinh(z + c),   z = X^T nu,   X beta = y,
with A, B > 0 per coordinate, R = 2 sqrt(A B) (the scale) and c = log(A / B) / 2 (the shift); it is
    argmin sum_j [gamma_j q(beta_j / gamma_j) - c_j beta_j]  s.t. X beta = y,  gamma = R / 2,
q(b) = 2 - sqrt(4 + b^2) + b asinh(b/2). This module only widens the entry points of the dual
Newton in :mod:`solvers.q_alpha` (reused, not copied): from (log A, log B), from (R, c), and from
the Gaussian start of a width-k diagonal net, plus a batched, warm-startable form of the same dual Newton
(:func:`argmin_q_ab_batch`) for the many nearby problems of a width sweep.

Width k (derivation, re-done here): beta_i = <u_i, v_i>, u_i, v_i in R^k, L = sum_n (<beta, x_n> - y_n)^2,
g = dL/dbeta = 2 X^T r. The flow u_i' = -g_i v_i, v_i' = -g_i u_i is linear in (u_i, v_i) for a given
g, with p = u + v, q = u - v: p' = -g p, q' = g q, so p(t) = p0 e^{-S}, q(t) = q0 e^{S}, S = int g, and
    beta_i = (|p_i|^2 - |q_i|^2) / 4 = A_i e^{z_i} - B_i e^{-z_i},  z = -2 S = X^T nu,
    A_i = |u_i(0) + v_i(0)|^2 / 4,   B_i = |u_i(0) - v_i(0)|^2 / 4.
With a = |u|^2, b = |v|^2, m = <u, v>: R = 2 sqrt(AB) = sqrt(((a+b)/2)^2 - m^2) and
c = atanh(2m / (a+b)). A and B are formed from |u +- v|^2 directly (no cancellation).
"""
from __future__ import annotations

import numpy as np

from .certificate import Certificate
from .q_alpha import argmin_q_general, interpolant_sensitivity, q_general_potential, separable_interpolant_primal
from .q_margin import beta_and_curvature

EPS = np.finfo(float).eps


def log_ab_from_scale_shift(R, c) -> tuple[np.ndarray, np.ndarray]:
    """(log A, log B) with A = (R/2) e^c, B = (R/2) e^-c."""
    R, c = np.asarray(R, float), np.asarray(c, float)
    base = np.log(R / 2.0)
    return base + c, base - c


def width_k_log_ab(U0: np.ndarray, V0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log A, log B) of a width-k start: A = |u + v|^2 / 4, B = |u - v|^2 / 4 (rows of U0, V0)."""
    U0, V0 = np.asarray(U0, float), np.asarray(V0, float)
    A = np.sum((U0 + V0) ** 2, axis=1) / 4.0
    B = np.sum((U0 - V0) ** 2, axis=1) / 4.0
    with np.errstate(divide="ignore"):
        return np.log(A), np.log(B)


def scale_shift_from_log_ab(log_a, log_b) -> tuple[np.ndarray, np.ndarray]:
    """(R, c) = (2 sqrt(AB), log(A/B)/2)."""
    log_a, log_b = np.asarray(log_a, float), np.asarray(log_b, float)
    return 2.0 * np.exp(0.5 * (log_a + log_b)), 0.5 * (log_a - log_b)


def argmin_q_ab(X: np.ndarray, y: np.ndarray, log_a, log_b, cross_check: bool = True):
    """argmin sum gamma q(beta/gamma) - c beta s.t. X beta = y from (log A, log B).

    Returns (beta, certificates, info) as :func:`solvers.q_alpha.argmin_q_general`, which it calls
    with w+0 = e^{log A / 2}, w-0 = e^{log B / 2} when both are in float range; otherwise the dual
    Newton runs on the logs directly (continuation in the scale, below) and the primal cross-check is
    skipped (it needs gamma, c)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    log_a, log_b = np.asarray(log_a, float), np.asarray(log_b, float)
    if not (np.all(np.isfinite(log_a)) and np.all(np.isfinite(log_b))):
        raise ValueError("degenerate start: A or B is 0 for some coordinate (u = +-v), the potential is one-sided")
    if np.max(np.abs(np.r_[log_a, log_b])) < 1400.0:
        return argmin_q_general(X, y, np.exp(0.5 * log_a), np.exp(0.5 * log_b), cross_check=cross_check)
    # starts beyond float range: A e^z underflows at z = 0, so Newton from nu = 0 cannot move. Continuation in the
    # scale, in the log domain: solve with the logs clipped to +-600 (curvature still a normal float), then walk
    # them to their values in steps of <= 500 (at each step the warm start's curvature is >= e^-500 > 0)
    lo_a, lo_b = np.clip(log_a, -600.0, 600.0), np.clip(log_b, -600.0, 600.0)
    n = int(np.ceil(max(float(np.max(np.abs(log_a - lo_a))), float(np.max(np.abs(log_b - lo_b)))) / 500.0))
    nu = None
    for i in range(n + 1):
        beta, nu, rel, bound = argmin_q_ab_batch(X, y, lo_a + (log_a - lo_a) * i / n, lo_b + (log_b - lo_b) * i / n,
                                                 nu0=nu)
    certs = [Certificate("Q dual Newton (log domain, continuation in the scale): relative primal residual",
                         {"primal_residual": float(rel[0])}, 1e-12)]
    _, curv = beta_and_curvature(X.T @ nu[0], log_a, log_b)
    return beta[0], certs, {"newton_iterations": None, "error_bound": float(bound[0]), "nu": nu[0], "curvature": curv}


def argmin_q_scale_shift(X: np.ndarray, y: np.ndarray, R, c, cross_check: bool = True):
    """argmin with beta = R o sinh(X^T nu + c) at the optimum."""
    return argmin_q_ab(X, y, *log_ab_from_scale_shift(R, c), cross_check=cross_check)


def argmin_q_width_k(X: np.ndarray, y: np.ndarray, U0: np.ndarray, V0: np.ndarray, cross_check: bool = True):
    """The predicted limit of the width-k diagonal net started at (U0, V0) (module docstring)."""
    return argmin_q_ab(X, y, *width_k_log_ab(U0, V0), cross_check=cross_check)


def primal_route_ab(X: np.ndarray, y: np.ndarray, log_a, log_b) -> tuple[np.ndarray, float]:
    """The independent primal route alone (trust-region Newton on the null space), for tests."""
    R, c = scale_shift_from_log_ab(log_a, log_b)
    return separable_interpolant_primal(X, y, *q_general_potential(R / 2.0, c))


def argmin_q_ab_batch(X: np.ndarray, y: np.ndarray, log_a: np.ndarray, log_b: np.ndarray, nu0=None,
                      max_iter: int = 300, bounds: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Many problems argmin sum gamma q(beta/gamma) - c beta s.t. X beta = y at once (rows of log_a, log_b).

    The same dual as :mod:`solvers.q_alpha` (min_nu sum A e^z + B e^-z - y^T nu, z = X^T nu), solved by a damped
    Newton vectorized over the batch (batched m x m solves, per-problem Armijo backtracking, the move in z capped
    at 20 per step), optionally warm-started at ``nu0`` (a nearby problem's dual: a few iterations). Each problem
    stops when a full Newton step no longer shrinks its residual (the round-off floor, once below 1e-8 relative).
    Returns (beta, nu, relative primal residual, error bound) per problem; the error bound is the first-order
    distance to the exact argmin implied by the residual (2 x interpolant sensitivity x residual + 8 u ||beta||;
    NaN with ``bounds=False``)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    la, lb = np.atleast_2d(np.asarray(log_a, float)), np.atleast_2d(np.asarray(log_b, float))
    nb, m = la.shape[0], X.shape[0]
    nu = np.zeros((nb, m)) if nu0 is None else np.array(np.broadcast_to(np.asarray(nu0, float), (nb, m)))
    xs, ys = float(np.linalg.norm(X, 2)), float(np.linalg.norm(y))

    def phi(v, sel=slice(None)):
        z = v @ X
        return np.sum(np.exp(np.logaddexp(z + la[sel], -z + lb[sel])), axis=1) - v @ y

    def state(v, sel=slice(None)):
        beta, curv = beta_and_curvature(v @ X, la[sel], lb[sel])
        g = beta @ X.T - y
        rel = np.linalg.norm(g, axis=1) / np.maximum(xs * np.linalg.norm(beta, axis=1) + ys, 1e-300)
        return beta, curv, g, rel

    active = np.ones(nb, bool)
    prev = np.full(nb, np.inf)
    f = phi(nu)
    for _ in range(max_iter):
        beta, curv, g, rel = state(nu)
        stalled = (rel >= prev) & (prev <= 1e-8)  # a full Newton step no longer shrinks the residual
        active &= ~(stalled | (rel == 0.0))
        if not active.any():
            break
        idx = np.flatnonzero(active)
        H = np.einsum("md,bd,nd->bmn", X, curv[idx], X)
        H += 1e-15 * np.trace(H, axis1=1, axis2=2)[:, None, None] / m * np.eye(m)
        try:
            step = -np.linalg.solve(H, g[idx][:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:  # curvature underflow (a start beyond float range): least squares per problem
            step = -np.array([np.linalg.lstsq(Hb, gb, rcond=None)[0] for Hb, gb in zip(H, g[idx])])
        dec = -np.einsum("bm,bm->b", g[idx], step)
        zmove = np.max(np.abs(step @ X), axis=1)
        t = np.minimum(1.0, 20.0 / np.maximum(zmove, 1e-300))
        new = nu[idx].copy()
        fn = f[idx].copy()
        # near the optimum phi is flat to rounding: a full Newton step is also accepted when it shrinks the residual
        trial = nu[idx] + t[:, None] * step
        ft = phi(trial, idx)
        ok = (ft <= f[idx] - 1e-4 * t * dec) | ((t == 1.0) & (state(trial, idx)[3] < rel[idx]))
        new[ok], fn[ok] = trial[ok], ft[ok]
        todo = ~ok
        for _ in range(60):
            if not todo.any():
                break
            t = np.where(todo, 0.5 * t, t)
            trial = nu[idx] + t[:, None] * step
            ft = phi(np.where(todo[:, None], trial, nu[idx]), idx)
            ok = todo & (ft <= f[idx] - 1e-4 * t * dec)
            new[ok], fn[ok] = trial[ok], ft[ok]
            todo &= ~ok
        active[idx[todo]] = False  # no decrease along the Newton direction: at the round-off floor
        prev[idx] = np.where(t == 1.0, rel[idx], np.inf)
        nu[idx], f[idx] = new, fn
    beta, curv, g, rel = state(nu)
    bound = np.full(nb, np.nan)
    for b in range(nb if bounds else 0):
        try:
            bound[b] = 2.0 * interpolant_sensitivity(X, curv[b], g[b]) + 8 * EPS * float(np.linalg.norm(beta[b]))
        except np.linalg.LinAlgError:  # zero curvature on row(X): no first-order bound
            bound[b] = np.inf
    return beta, nu, rel, bound


__all__ = ["argmin_q_ab", "argmin_q_ab_batch", "argmin_q_scale_shift", "argmin_q_width_k", "log_ab_from_scale_shift",
           "primal_route_ab", "scale_shift_from_log_ab", "width_k_log_ab"]
