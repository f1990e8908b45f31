"""Certificates of the commuting-sensing limits, from the raw A_i, y and start.

With A_i = Q diag(a_i) Q^T and a start X0 = Q diag(x0) Q^T that commute, the predicted limit X
must (i) commute with them (Q^T X Q diagonal), (ii) interpolate, a x = y with x = diag(Q^T X Q) > 0,
and (iii) satisfy the stationarity condition of its potential: z(x) in row(a), with
* depth 2 (KL projection): z = log(x / x0);
* depth N >= 3 (one-sided map x = x0 (1 - c a^T nu)^(-N/(N-2)), c = (N-2) x0^((N-2)/N)):
  z = (1 - (x/x0)^(-(N-2)/N)) / c.
Q is recomputed here from the raw matrices (eigenvectors of a fixed combination with weights
sqrt(2), sqrt(3), sqrt(5), ...; the solver uses a random one). The row-space test is a pivoted QR of
a^T (solvers.certify.common). Tolerance: 100 n cond(a) eps times the dynamic range of z (the
logarithm, or 1/(1 - u) near the one-sided barrier) times the conditioning ||M|| / gap of the
eigenvectors computed here -- a few hundred ulps of a backward-stable solve.
"""
from __future__ import annotations

import numpy as np

from ..certificate import Certificate
from .common import EPS, condition, outside_span

_WEIGHTS = np.sqrt(np.array([2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71], float))


def eigenbasis(mats: np.ndarray) -> tuple[np.ndarray, float]:
    """(Q, kappa): the eigenvectors of a fixed combination M, and ||M||_2 / (smallest eigenvalue gap), by
    which the rounding of Q (and so the off-diagonal part a right answer shows in this basis) grows."""
    mats = np.asarray(mats, float)
    w = np.resize(_WEIGHTS, mats.shape[0]) * (1.0 + 0.01 * np.arange(mats.shape[0]))
    M = np.einsum("k,kij->ij", w, mats)
    lam, Q = np.linalg.eigh(0.5 * (M + M.T))
    gap = float(np.min(np.diff(lam))) if lam.size > 1 else 1.0
    return Q, float(np.max(np.abs(lam))) / max(gap, 1e-300)


def _diagonal_system(raw, start_key: str, X):
    A = np.asarray(raw["A"], float)
    X0 = np.asarray(raw[start_key], float)
    Q, kappa = eigenbasis(np.concatenate([A, X0[None]], axis=0))
    a = np.einsum("ik,mij,jk->mk", Q, A, Q)
    x0 = np.einsum("ik,ij,jk->k", Q, X0, Q)
    D = Q.T @ np.asarray(X, float) @ Q
    x = np.diag(D).copy()
    off = float(np.linalg.norm(D - np.diag(x))) / max(float(np.linalg.norm(D)), 1e-300)
    return a, np.asarray(raw["y"], float), x0, x, off, kappa


def _common(a, y, x, off):
    scale = max(float(np.linalg.norm(x)), 1e-300)
    return {"primal_residual": float(np.linalg.norm(a @ x - y)) / (float(np.linalg.norm(a, 2)) * scale + float(np.linalg.norm(y))),
            "does_not_commute": off,
            "non_positive": float(max(0.0, -float(np.min(x)))) / scale + (np.inf if np.any(x <= 0) else 0.0)}


def kl_projection(raw, reference) -> Certificate:
    """X = argmin sum x log(x/x0) - x s.t. A(X) = y in the shared eigenbasis (start field ``X0``)."""
    a, y, x0, x, off, kappa = _diagonal_system(raw, "X0", reference["X"])
    res = _common(a, y, x, off)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log(x / x0)
    res["stationarity_outside_row_space"] = outside_span(a.T, z) / max(float(np.linalg.norm(z)), 1e-300) \
        if np.all(np.isfinite(z)) else np.inf
    rng = max(1.0, float(np.max(np.abs(z[np.isfinite(z)]))) if np.any(np.isfinite(z)) else 1.0)
    tol = 100.0 * a.shape[1] * condition(a) * rng * max(1.0, kappa) * EPS
    return Certificate("independent: Q^T X Q diagonal, a x = y, x > 0, log(x/x0) in row(a) (Q from the raw A_i, X0)",
                       res, tol)


def one_sided_depth(raw, reference) -> Certificate:
    """X = x0 (1 - c a^T nu)^(-N/(N-2)) in the shared eigenbasis (start field ``W0``, ``depth``)."""
    N = int(raw["depth"])
    a, y, x0, x, off, kappa = _diagonal_system(raw, "W0", reference["X"])
    res = _common(a, y, x, off)
    c = (N - 2.0) * x0 ** ((N - 2.0) / N)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (x / x0) ** (-(N - 2.0) / N)  # = 1 - u
        z = (1.0 - v) / c
    ok = np.all(np.isfinite(z)) and np.all(v > 0)
    res["stationarity_outside_row_space"] = outside_span(a.T, z) / max(float(np.linalg.norm(z)), 1e-300) if ok else np.inf
    amp = float(np.max(1.0 / v)) if ok else 1.0
    tol = 100.0 * a.shape[1] * condition(a) * max(1.0, amp) * max(1.0, kappa) * EPS
    return Certificate(f"independent: Q^T X Q diagonal, a x = y, x > 0, (1 - (x/x0)^(-(N-2)/N))/c in row(a), N = {N}",
                       res, tol)
