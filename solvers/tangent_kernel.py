"""The tangent kernel of a two-layer net at its initialization and the kernel's min-norm interpolant.

Net (models.lazy_net): h(theta; x) = M^{-1/2} sum_j a_j sigma(<w_j, x>), theta = (a, W), sigma = tanh or
ReLU. Its tangent features at theta0 (closed form, written here independently of the model's code):
    phi(x) = M^{-1/2} [ sigma(W x) ;  (a o sigma'(W x)) (x) x ]   (the a-block and the W-block),
K0(x, x') = <phi(x), phi(x')>. Kernel regime (Chizat, Oyallon & Bach 2019; note 004 "Kernel Regime and
Scale of Init"): with h(theta0) = 0, the scaled model alpha h trained by gradient flow on
(1/(2 alpha^2)) sum_n (alpha h(theta; x_n) - y_n)^2 converges, as alpha -> inf, to the predictor
    f_K(x) = K0(x, X) K0(X, X)^{-1} y = argmin ||f||_{K0} s.t. f(x_n) = y_n.
Two routes: the Gram system (Cholesky) and the min-norm least-squares solution in feature space
theta* = Phi^+ y (SVD); certificate: interpolation residual and route disagreement.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg

from .certificate import Certificate

EPS = np.finfo(float).eps


def _act(z, activation: str):
    if activation == "tanh":
        t = np.tanh(z)
        return t, 1.0 - t * t
    if activation == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(float)
    raise ValueError(f"unknown activation {activation!r}")


def tangent_features(Xs: np.ndarray, a: np.ndarray, W: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """Phi (n x (M + M d)): the tangent features of the two-layer net at (a, W)."""
    Xs = np.atleast_2d(np.asarray(Xs, float))
    M = a.size
    s, ds = _act(Xs @ W.T, activation)  # (n, M)
    blockW = (a[None, :] * ds)[:, :, None] * Xs[:, None, :]  # (n, M, d)
    return np.hstack([s, blockW.reshape(Xs.shape[0], -1)]) / np.sqrt(M)


def tangent_kernel(X1, X2, a, W, activation: str = "tanh") -> np.ndarray:
    return tangent_features(X1, a, W, activation) @ tangent_features(X2, a, W, activation).T


def kernel_interpolant(X: np.ndarray, y: np.ndarray, X_test: np.ndarray, a: np.ndarray, W: np.ndarray,
                       activation: str = "tanh") -> tuple[np.ndarray, Certificate, dict]:
    """f_K on X_test (and the coefficients), with a certificate (module docstring)."""
    P = tangent_features(X, a, W, activation)
    Pt = tangent_features(X_test, a, W, activation)
    K = P @ P.T
    coef = scipy.linalg.solve(K, y, assume_a="pos")
    f_test = (Pt @ P.T) @ coef
    theta = np.linalg.lstsq(P, y, rcond=None)[0]  # second route: min-norm in feature space
    f2 = Pt @ theta
    cond = float(np.linalg.cond(K))
    sc = max(float(np.linalg.norm(f_test)), 1e-300)
    res = {"interpolation_residual": float(np.linalg.norm(K @ coef - y)) / max(float(np.linalg.norm(y)), 1e-300),
           "route_disagreement": float(np.linalg.norm(f2 - f_test)) / sc}
    tol = max(1e-10, 100.0 * cond * EPS)
    return f_test, Certificate("tangent-kernel interpolant: Gram solve vs feature-space min norm", res, tol), \
        {"coef": coef, "theta": theta, "cond_K": cond}


__all__ = ["kernel_interpolant", "tangent_features", "tangent_kernel"]
