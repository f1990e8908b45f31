"""The Crammer-Singer multiclass hard-margin SVM (no bias), certified.

W_hat = argmin sum_k ||w_k||^2 s.t. (w_{y_n} - w_k)^T x_n >= 1 for all n and k != y_n: the direction
softmax cross-entropy GD converges to on separable data (Soudry et al. 2018, JMLR, Thm 7 /
sec. "multi-class"; notes 001 "Multi-class problems with softmax loss"). In vec W coordinates it is
the binary hard-margin SVM of the lifted points r_nk = (e_{y_n} - e_k) (x) x_n with all labels +1,
so two routes are available: :func:`solvers.svm.hard_margin_svm_dual` on the lifted points (itself
cvxpy/Clarabel vs Lawson-Hanson LDP/NNLS, polished on the support) and a direct cvxpy QP in matrix
form. KKT: W_hat = sum_nk a_nk (e_{y_n} - e_k) x_n^T with a >= 0, complementary to the margins;
so sum_k w_hat_k = 0. The certificate is the lifted SVM's plus the disagreement with the matrix QP.
"""
from __future__ import annotations

import warnings

import cvxpy as cp
import numpy as np

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
    w, a, cert = hard_margin_svm_dual(R, np.ones(len(R)))
    W = w.reshape(K, X.shape[1])
    res = dict(cert.residuals)
    try:
        W2 = _matrix_qp(X, labels, K)
        res["matrix_qp_disagreement"] = float(np.linalg.norm(W - W2)) / max(float(np.linalg.norm(W)), 1e-300)
    except Exception as e:  # noqa: BLE001
        res["matrix_qp_failed"] = np.inf
        del e
    res["class_sum"] = float(np.linalg.norm(W.sum(axis=0))) / max(float(np.linalg.norm(W)), 1e-300)
    tol = max(cert.tolerance, 1e-7)  # the matrix-form QP is an interior point (~1e-8 relative)
    return W, a, Certificate("Crammer-Singer hard-margin SVM (lifted binary SVM: " + cert.name + "; vs matrix-form QP)", res, tol)


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
