"""Independent certificates for the deeper-architecture claims (deep linear / conv / multiclass nets,
the regularization path, the fast-rate schedule), recomputed from the raw instance fields.

Nothing here reaches the solvers or models: the signed data y_n x_n, the lifted multiclass points,
the DFT (an explicit matrix exp(-2 pi i j k / D) / sqrt D, not numpy.fft) and every multiplier (NNLS
on the active set) are formed here. Each certificate checks the KKT conditions of a convex problem
(feasibility, multipliers >= 0, stationarity, complementarity), which certify optimality; where the
claim needs "the" solution, a sufficient condition for uniqueness is checked too.
Tolerances: 100 max(m, d) kappa u, kappa the condition number of the active constraints' Gram
matrix (a backward-stable solve's forward error), never below 1e-9.
"""
from __future__ import annotations

import numpy as np
import scipy.optimize

from ..certificate import Certificate
from .common import EPS, arr


def _signed(raw) -> np.ndarray:
    return arr(raw, "y")[:, None] * arr(raw, "X")


def _tol(M: np.ndarray, floor: float = 1e-9) -> float:
    if M.size == 0:
        return floor
    s = np.linalg.svd(M, compute_uv=False)
    s = s[s > s.max() * max(M.shape) * EPS]  # conditioning on the range (rank-deficient active sets)
    kappa = float(s[0] / s[-1]) ** 2 if s.size else np.inf
    return max(floor, 100.0 * max(M.shape) * kappa * EPS)


def _svm_kkt(Z: np.ndarray, w: np.ndarray, name: str) -> Certificate:
    """KKT of min 1/2||w||^2 s.t. Z w >= 1: feasible, w = Z_A^T lam (lam >= 0 by NNLS) on the
    active set A (margin within 1e-7 of 1)."""
    z = Z @ w
    A = np.flatnonzero(np.abs(z - 1.0) <= 1e-7)
    nw = max(float(np.linalg.norm(w)), 1e-300)
    if len(A) == 0:
        return Certificate(name, {"no_active_constraint": np.inf}, 1e-9)
    lam, rn = scipy.optimize.nnls(Z[A].T, w)
    res = {"primal_feasibility": float(max(0.0, np.max(1.0 - z))), "stationarity": float(rn) / nw,
           "duality_gap": abs(nw**2 - float(lam.sum())) / nw**2}
    return Certificate(name, res, _tol(Z[A]))


def l2_max_margin(raw, reference) -> Certificate:
    """reference {"w": w}: w = argmin ||w|| s.t. y_n <w, x_n> >= 1 (w rescaled to margin 1 first)."""
    Z = _signed(raw)
    w = np.asarray(reference["w"], float)
    w = w / float(np.min(Z @ w))
    return _svm_kkt(Z, w, "independent: l2 max margin KKT from X, y (NNLS multipliers on the active set)")


def _dft_matrix(D: int) -> np.ndarray:
    j = np.arange(D)
    return np.exp(-2j * np.pi * np.outer(j, j) / D) / np.sqrt(D)


def dft_l1_max_margin(raw, reference) -> Certificate:
    """reference {"beta": beta}: beta = argmin sum_k |(F beta)_k| s.t. y_n <beta, x_n> >= 1, unique.

    From X, y: margins (beta rescaled to margin 1), F by its definition, phases of F beta on the
    support S, multipliers lam >= 0 by NNLS on (F Z_A^T lam)_k = e^{i phi_k} (k in S), then dual
    feasibility max_k |(F Z^T lam)_k| <= 1, the duality gap ||F beta||_1 - 1^T lam, and uniqueness:
    strict dual feasibility off S and full rank of the active constraints on S's moduli."""
    Z = _signed(raw)
    m, D = Z.shape
    F = _dft_matrix(D)
    beta = np.asarray(reference["beta"], float)
    beta = beta / float(np.min(Z @ beta))
    bh = F @ beta
    S = np.flatnonzero(np.abs(bh) > 1e-6 * np.abs(bh).max())
    A = np.flatnonzero(np.abs(Z @ beta - 1.0) <= 1e-7)
    name = "independent: DFT-l1 max margin KKT from X, y (explicit DFT matrix, NNLS multipliers)"
    if len(A) == 0:
        return Certificate(name, {"no_active_constraint": np.inf}, 1e-9)
    phase = bh[S] / np.abs(bh[S])
    FZ = (Z[A] @ F.T)[:, S].T  # (|S|, |A|): (F z_n)_k
    M = np.vstack([FZ.real, FZ.imag])
    lamA, rn = scipy.optimize.nnls(M, np.concatenate([phase.real, phase.imag]))
    lam = np.zeros(m)
    lam[A] = lamA
    v = F @ (Z.T @ lam)
    off = np.setdiff1d(np.arange(D), S)
    reps = [k for k in S if k <= (D - k) % D]
    cols = []
    for k in reps:
        e = np.zeros(D, complex)
        e[k] = bh[k] / abs(bh[k])
        e[(D - k) % D] = np.conj(e[k])
        cols.append(np.real(np.conj(F).T @ e))
    G = Z[A] @ np.array(cols).T
    sv = np.linalg.svd(G, compute_uv=False)
    res = {
        "primal_feasibility": float(max(0.0, np.max(1.0 - Z @ beta))),
        "stationarity_on_support": float(rn) / np.sqrt(len(S)),
        "dual_feasibility": float(max(0.0, np.max(np.abs(v)) - 1.0)),
        "duality_gap": abs(float(np.sum(np.abs(bh))) - float(lam.sum())) / float(np.sum(np.abs(bh))),
        "not_unique_off_support": float(max(0.0, np.max(np.abs(v[off])) - (1.0 - 1e-6))) if len(off) else 0.0,
        "not_unique_rank": float(len(reps) - int(np.sum(sv > sv.max() * 1e-9))),
    }
    return Certificate(name, res, _tol(Z[A]))


def _lift(X: np.ndarray, labels: np.ndarray, K: int) -> np.ndarray:
    m, d = X.shape
    out = []
    for n in range(m):
        for k in range(K):
            if k == labels[n]:
                continue
            r = np.zeros((K, d))
            r[labels[n]] = X[n]
            r[k] = -X[n]
            out.append(r.ravel())
    return np.array(out)


def crammer_singer(raw, reference) -> Certificate:
    """reference {"W": W}: W = argmin sum_k ||w_k||^2 s.t. (w_{y_n} - w_k)^T x_n >= 1 (k != y_n);
    the lifted points (e_{y_n} - e_k) (x) x_n are formed here, then the l2 max-margin KKT."""
    X = arr(raw, "X")
    labels = np.asarray(raw["labels"]).astype(int)
    K = int(labels.max()) + 1
    W = np.asarray(reference["W"], float)
    cert = _svm_kkt(_lift(X, labels, W.shape[0] if W.ndim == 2 else K), W.ravel(),
                    "independent: Crammer-Singer KKT from X, labels (lifted points, NNLS multipliers)")
    return cert


def margin_projections(raw, reference) -> Certificate:
    """reference {"w": (n, d) answers, "b": (n, m) margin levels}: each w_i = argmin ||w - w0|| s.t.
    Z w >= b_i: feasible, and w_i - w0 = Z_A^T lam with lam >= 0 (NNLS) on the active set."""
    Z = _signed(raw)
    w0 = arr(raw, "w0")
    W = np.atleast_2d(np.asarray(reference["w"], float))
    B = np.atleast_2d(np.asarray(reference["b"], float))
    feas, stat, tol = 0.0, 0.0, 1e-11
    for w, b in zip(W, B):
        scale = 1.0 + float(np.max(np.abs(b)))
        slack = Z @ w - b
        feas = max(feas, float(max(0.0, -slack.min())) / scale)
        A = np.flatnonzero(slack <= 1e-9 * scale)
        u = w - w0
        nu = max(float(np.linalg.norm(u)), 1e-300)
        rn = scipy.optimize.nnls(Z[A].T, u)[1] if len(A) else float(np.linalg.norm(u))
        stat = max(stat, float(rn) / nu)
        tol = max(tol, _tol(Z[A], 1e-11))
    return Certificate("independent: margin-projection KKT from X, y, w0 (NNLS multipliers on the active set)",
                       {"feasibility": feas, "stationarity": stat}, tol)


__all__ = ["crammer_singer", "dft_l1_max_margin", "l2_max_margin", "margin_projections"]
