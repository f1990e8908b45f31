"""The Crammer-Singer multiclass hard-margin SVM (no bias), certified.

W_hat = argmin sum_k ||w_k||^2 s.t. (w_{y_n} - w_k)^T x_n >= 1 for all n and k != y_n: the direction
softmax cross-entropy GD converges to on separable data (Soudry et al. 2018, JMLR, the
multi-class extension; notes 001 "Multi-class problems with softmax loss"). In vec W coordinates it is
the binary hard-margin SVM of the lifted points r_nk = (e_{y_n} - e_k) (x) x_n with all labels +1,
so two routes are available: :func:`solvers.svm.hard_margin_svm_dual` on the lifted points and a
direct cvxpy QP in matrix form. The lifted points of one x_n are linearly dependent across k, so the
support is often degenerate (the lifted SVM's routes may then pick different supports, ~1e-9 apart):
the answer is polished on the active margins (the min-norm solution of R_A w = 1, multipliers by
NNLS) and certified by its KKT residuals, the disagreement with both routes, and sum_k w_k = 0 (which
KKT implies: W_hat = sum_nk a_nk (e_{y_n} - e_k) x_n^T).
"""
from __future__ import annotations

import warnings

import cvxpy as cp
import numpy as np
import scipy.optimize

from .certificate import Certificate
from .svm import hard_margin_svm_dual


def _lift(X: np.ndarray, labels: np.ndarray, K: int) -> np.ndarray:
    X = np.asarray(X, float)
    labels = np.asarray(labels, int)
    m, d = X.shape
    rows = []
    for n in range(m):
        for k in range(K):
            if k != labels[n]:
                r = np.zeros((K, d))
                r[labels[n]] += X[n]
                r[k] -= X[n]
                rows.append(r.ravel())
    return np.array(rows)


def _matrix_qp(X: np.ndarray, labels: np.ndarray, K: int) -> np.ndarray:
    m, d = X.shape
    W = cp.Variable((K, d))
    S = X @ W.T  # (m, K)
    Y = np.eye(K)[labels]
    own = cp.sum(cp.multiply(S, Y), axis=1)
    cons = [own[n] - S[n, k] >= 1 for n in range(m) for k in range(K) if k != labels[n]]
    prob = cp.Problem(cp.Minimize(cp.sum_squares(W)), cons)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    if prob.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"Clarabel (matrix QP): {prob.status} (data not separable?)")
    return np.asarray(W.value, float)


def crammer_singer_svm(X: np.ndarray, labels: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """(W_hat (K x d), multipliers a over the lifted margins (n, k != y_n) in row-major order, certificate)."""
    X = np.asarray(X, float)
    labels = np.asarray(labels, int)
    R = _lift(X, labels, K)
    w1, a, cert = hard_margin_svm_dual(R, np.ones(len(R)))
    w, a, res = _polish_on_margins(R, w1, a)
    if not res:  # the lifted SVM failed (not separable)
        res = {"lifted_svm_failed": np.inf}
    res["lifted_route_disagreement"] = float(np.linalg.norm(w - w1)) / max(float(np.linalg.norm(w)), 1e-300)
    W = w.reshape(K, X.shape[1])
    try:
        W2 = _matrix_qp(X, labels, K)
        res["matrix_qp_disagreement"] = float(np.linalg.norm(W - W2)) / max(float(np.linalg.norm(W)), 1e-300)
    except Exception as e:  # noqa: BLE001
        res["matrix_qp_failed"] = np.inf
        del e
    res["class_sum"] = float(np.linalg.norm(W.sum(axis=0))) / max(float(np.linalg.norm(W)), 1e-300)
    # the lifted points of one x_n are linearly dependent across k, so the support is often degenerate
    # (the lifted SVM's kappa-based bound is then huge); after the margin-based polish the KKT
    # residuals are ~1e-12 and the matrix-form QP (an interior point, ~1e-8) is the cross-check
    tol = 1e-7
    return W, a, Certificate("Crammer-Singer hard-margin SVM (lifted binary SVM: " + cert.name + "; vs matrix-form QP)", res, tol)


def _polish_on_margins(R: np.ndarray, w: np.ndarray, a: np.ndarray, band: float = 1e-7):
    """Re-solve on the active margins A = {|r.w - 1| <= band}: w = the min-norm solution of
    R_A w = 1 (a least-squares solve, exact also when R_A is rank-deficient), multipliers by NNLS on
    R_A^T a = w. Keeps the input if the result is infeasible. Returns (w, a, residuals)."""
    if not np.all(np.isfinite(w)):
        return w, a, {}
    A = np.flatnonzero(np.abs(R @ w - 1.0) <= band)
    if len(A) == 0:
        return w, a, {}
    w2 = np.linalg.lstsq(R[A], np.ones(len(A)), rcond=None)[0]
    if np.min(R @ w2) < 1.0 - 1e-10:
        return w, a, {"polish_rejected": np.inf}
    aA, rn = scipy.optimize.nnls(R[A].T, w2)
    a2 = np.zeros(len(R))
    a2[A] = aA
    nw = float(np.linalg.norm(w2))
    return w2, a2, {"polished_stationarity": float(rn) / nw, "polished_duality_gap": abs(nw**2 - float(aA.sum())) / nw**2,
                    "polished_feasibility": float(max(0.0, np.max(1.0 - R @ w2)))}


def one_vs_rest_svms(X: np.ndarray, labels: np.ndarray, K: int) -> tuple[np.ndarray, Certificate]:
    """Row k: the binary hard-margin SVM of class k against the rest (a mutant, not a theorem);
    certified per class. Raises ValueError if a class is not linearly separable from the rest."""
    X = np.asarray(X, float)
    labels = np.asarray(labels, int)
    rows, res, tol = [], {}, 0.0
    for k in range(K):
        w, a, cert = hard_margin_svm_dual(X, np.where(labels == k, 1.0, -1.0))
        rows.append(w)
        res.update({f"class{k}_{n}": v for n, v in cert.residuals.items()})
        tol = max(tol, cert.tolerance)
    return np.array(rows), Certificate("one-vs-rest binary hard-margin SVMs", res, tol)


__all__ = ["crammer_singer_svm", "one_vs_rest_svms"]
