"""Multiclass linear classifiers trained by softmax cross-entropy on separable data.

W = (w_1, ..., w_K) (K x d), scores W x_n, loss (Soudry et al. 2018, JMLR, sec. "multi-class";
notes 001 "Multi-class problems with softmax loss")
    L(W) = sum_n [log sum_k exp(w_k^T x_n) - w_{y_n}^T x_n] = sum_n log(1 + sum_{k != y_n} e^{-m_nk}),
    m_nk = (w_{y_n} - w_k)^T x_n.
So L is a grouped logistic loss of the K - 1 margins of each point: the flow in its own loss level
is :func:`models.homogeneous.margin_flow` with ``loss="logistic"`` and ``groups`` = the point index,
on the linear model :func:`multiclass_model` (constant Jacobian, rows (e_{y_n} - e_k) (x) x_n).

Exact invariant (derived): grad_W L = (P - Y)^T X with P the softmax probabilities and Y the one-hot
labels; every row of P - Y sums to 0, so sum_k grad_{w_k} L = 0 and GD keeps sum_k w_k(t) =
sum_k w_k(0) at every step (:func:`softmax_gd` records the drift, which is round-off).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.special import log_softmax, logsumexp

from .homogeneous import MarginsJac


def margin_index(labels: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, k) pairs with k != y_n, in row-major order; the group of each margin is n."""
    labels = np.asarray(labels, int)
    n, k = np.nonzero(np.arange(K)[None, :] != labels[:, None])
    return n, k


def lifted_points(X: np.ndarray, labels: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows (e_{y_n} - e_k) (x) x_n of the margins m_nk = <vec W, row> (vec W = W.ravel()), and the groups."""
    X = np.asarray(X, float)
    n, k = margin_index(labels, K)
    m, d = X.shape
    R = np.zeros((len(n), K, d))
    R[np.arange(len(n)), np.asarray(labels, int)[n]] = X[n]
    R[np.arange(len(n)), k] -= X[n]
    return R.reshape(len(n), K * d), n


def multiclass_model(X: np.ndarray, labels: np.ndarray, K: int) -> tuple[MarginsJac, np.ndarray]:
    """(margins_jac, groups) for theta = W.ravel()."""
    R, groups = lifted_points(X, labels, K)
    return (lambda theta: (R @ theta, R)), groups


def cross_entropy(W: np.ndarray, X: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(L, log(1/L)) with L = sum_n -log softmax(W x_n)_{y_n}, from logs."""
    S = np.asarray(X, float) @ np.asarray(W, float).T
    nll = -log_softmax(S, axis=1)[np.arange(len(S)), np.asarray(labels, int)]
    # log of each term: log(-log p) with -log p = softplus(a_n), a_n = lse_{k != y}(s_k - s_y)
    S_rel = S - S[np.arange(len(S)), np.asarray(labels, int)][:, None]
    S_rel[np.arange(len(S)), np.asarray(labels, int)] = -np.inf
    a = logsumexp(S_rel, axis=1)
    big = a > -30.0
    logt = np.where(big, np.log(np.log1p(np.exp(np.where(big, a, 0.0)))), a - np.exp(np.minimum(a, 0.0)) / 2.0)
    return float(np.sum(nll)), float(-logsumexp(logt))


@dataclass
class SoftmaxRun:
    t: np.ndarray
    W: np.ndarray  # (n, K, d)
    s: np.ndarray  # log(1/L) at the checkpoints
    invariant_drift: np.ndarray  # max_j |sum_k w_k(t) - sum_k w_k(0)|_j / max(1, ||W(t)||_F)
    seconds: float
    info: dict = field(default_factory=dict)


def softmax_gd(X: np.ndarray, labels: np.ndarray, W0: np.ndarray, eta: float, T: int,
               n_checkpoints: int = 40) -> SoftmaxRun:
    """GD W_{t+1} = W_t - eta (P_t - Y)^T X for T steps (a loop: each step needs the last)."""
    X = np.asarray(X, float)
    labels = np.asarray(labels, int)
    W = np.array(W0, float, copy=True)
    K = W.shape[0]
    Y = np.eye(K)[labels]
    col0 = W.sum(axis=0).copy()
    cps = np.unique(np.r_[np.geomspace(1, T, n_checkpoints).astype(np.int64), T])
    out, svals, drift = np.empty((len(cps),) + W.shape), np.empty(len(cps)), np.empty(len(cps))
    k = 0
    t0 = time.perf_counter()
    for t in range(1, T + 1):
        S = X @ W.T
        P = np.exp(log_softmax(S, axis=1))
        W -= eta * (P - Y).T @ X
        if t == cps[k]:
            out[k] = W
            svals[k] = cross_entropy(W, X, labels)[1]
            drift[k] = float(np.max(np.abs(W.sum(axis=0) - col0))) / max(1.0, float(np.linalg.norm(W)))
            k += 1
    return SoftmaxRun(cps.astype(float), out, svals, drift, time.perf_counter() - t0, info={"steps": T, "eta": eta})


__all__ = ["SoftmaxRun", "cross_entropy", "lifted_points", "margin_index", "multiclass_model", "softmax_gd"]
