"""Certificates for the U V^T claim: its symmetric lift, or (diagonal A_i) the diagonal net's limit.

Lift: the reference hands the lifted matrix M = W W^T at the final time, its top-right block X and the
lifted measurements it computed. Recomputed here from the raw A_i: M is symmetric PSD, X = M_12, and
<A_i, X> (raw) equals the lifted measurement <A~_i, M> with A~_i = 1/2 [[0, A_i], [A_i^T, 0]] built
here -- a lift without the 1/2 (twice the measurements) or a forgotten transpose is rejected.

Diagonal net: with A_i = diag(x_i), U0 = diag(u0), V0 = diag(v0), the flow keeps u + v = (u0 + v0) e^(-G),
u - v = (u0 - v0) e^(G) (G = int X^T r), so beta = u v = a e^theta - b e^(-theta) with a = (u0 + v0)^2 / 4,
b = (u0 - v0)^2 / 4 and theta = -2 G in row(X). So the limit must satisfy X beta = y and
theta(beta) = log((beta + sqrt(beta^2 + 4ab)) / (2a)) in row(X) (pivoted QR of X^T). Tolerance: a few
hundred ulps of a backward-stable solve, 100 d cond(X) eps max(1, |theta|).
"""
from __future__ import annotations

import numpy as np

from ..certificate import Certificate
from .common import EPS, condition, outside_span


def lift_or_diagonal_net(raw, reference) -> Certificate:
    A = np.asarray(raw["A"], float)
    y = np.asarray(raw["y"], float)
    if reference.get("kind") == "diag":
        X = np.einsum("kii->ki", A)
        u0, v0 = np.diag(np.asarray(raw["U0"], float)), np.diag(np.asarray(raw["V0"], float))
        a, b = (u0 + v0) ** 2 / 4.0, (u0 - v0) ** 2 / 4.0
        B = np.asarray(reference["X"], float)
        beta = np.diag(B).copy()
        off = float(np.linalg.norm(B - np.diag(beta))) / max(float(np.linalg.norm(B)), 1e-300)
        theta = np.log((beta + np.sqrt(beta ** 2 + 4.0 * a * b)) / (2.0 * a))
        scale = max(float(np.linalg.norm(beta)), 1e-300)
        res = {"primal_residual": float(np.linalg.norm(X @ beta - y)) / (float(np.linalg.norm(X, 2)) * scale + float(np.linalg.norm(y))),
               "not_diagonal": off,
               "theta_outside_row_space": outside_span(X.T, theta) / max(float(np.linalg.norm(theta)), 1e-300)}
        tol = 100.0 * X.shape[1] * condition(X) * max(1.0, float(np.max(np.abs(theta)))) * EPS
        return Certificate("independent: X beta = y and theta(beta) = log((beta + sqrt(beta^2 + 4ab))/(2a)) in row(X), "
                           "a, b from the raw diagonal starts", res, tol)
    n1 = A.shape[1]
    M = np.asarray(reference["M"], float)
    X = np.asarray(reference["X"], float)
    Mn = max(float(np.linalg.norm(M)), 1e-300)
    Mt = np.zeros((A.shape[0],) + M.shape)
    Mt[:, :n1, n1:] = 0.5 * A
    Mt[:, n1:, :n1] = 0.5 * np.swapaxes(A, 1, 2)
    direct = np.einsum("kij,ij->k", A, X)
    res = {"lift_not_symmetric": float(np.linalg.norm(M - M.T)) / Mn,
           "lift_not_psd": max(0.0, -float(np.linalg.eigvalsh(0.5 * (M + M.T))[0])) / Mn,
           "block_mismatch": float(np.linalg.norm(M[:n1, n1:] - X)) / Mn,
           "lifted_measurements_mismatch": float(np.linalg.norm(np.asarray(reference["lifted_measurements"], float) - direct))
           / (float(np.linalg.norm(direct)) + 1e-300),
           "lift_operator_mismatch": float(np.linalg.norm(np.einsum("kij,ij->k", Mt, M) - direct)) / (float(np.linalg.norm(direct)) + 1e-300)}
    return Certificate("independent: M = W W^T symmetric PSD, X = M_12, <A~_i, M> = <A_i, X> with A~_i = 1/2 [[0, A_i], [A_i^T, 0]] "
                       "built from the raw A_i", res, 1e3 * EPS * max(M.shape))
