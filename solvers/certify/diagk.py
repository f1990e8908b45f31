"""Independent certificates for the diagonal nets beyond width 1 and the square loss (catalogue entry 10).

Everything is recomputed from the raw instance and the reference answer; nothing is shared with the
solvers or the models (the starts are re-drawn here from the instance's seed with numpy's generator,
as the instance's definition says).

* :func:`width_k_limit`: beta solves min sum gamma q(beta/gamma) - c beta s.t. X beta = y for the width-k
  start iff X beta = y and z = asinh(beta / (2 gamma)) - c lies in row(X), gamma = sqrt(AB),
  c = log(A/B)/2, A = |u0 + v0|^2/4, B = |u0 - v0|^2/4 (rows of the start).
* :func:`alpha_limit`: the same for A = B = alpha_eff^2 (the width -> inf limit).
* :func:`margin_q_alpha`: beta solves min Q_alpha s.t. Z beta >= m iff Z beta >= m and
  asinh(beta / (2 alpha^2)) = Z^T lambda for some lambda >= 0 with lambda_n (z_n beta - m_n) = 0: lambda by
  non-negative least squares (scipy NNLS, not the solver's Newton).
* :func:`l1_max_margin_pair`: (beta_1, lambda) is primal/dual optimal for min ||beta||_1 s.t. Z beta >= 1
  iff Z beta_1 >= 1, lambda >= 0, ||Z^T lambda||_inf <= 1 and ||beta_1||_1 = 1^T lambda.
* :func:`tangent_interpolant`: the tangent kernel from complex-step derivatives of the forward map (not the
  closed-form features) and the Gram solve.
"""
from __future__ import annotations

import numpy as np
import scipy.optimize

from ..certificate import Certificate
from .common import EPS, arr, condition, outside_span


def _z_of(beta, log_a, log_b):
    gamma = np.exp(0.5 * (log_a + log_b))
    return np.arcsinh(beta / (2.0 * gamma)) - 0.5 * (log_a - log_b)


def _equality_kkt(X, y, beta, log_a, log_b, name) -> Certificate:
    scale = max(float(np.linalg.norm(beta)), np.finfo(float).tiny)
    resid = float(np.linalg.norm(X @ beta - y)) / (float(np.linalg.norm(X, 2)) * scale + float(np.linalg.norm(y)))
    z = _z_of(beta, log_a, log_b)
    off = outside_span(X.T, z) / max(float(np.linalg.norm(z)), 1e-300)
    curv = np.exp(0.5 * (log_a + log_b)) * 2.0 * np.cosh(z + 0.5 * (log_a - log_b))
    tol = 1e3 * max(X.shape) * condition(X) * EPS * max(1.0, float(np.max(curv) / np.min(curv))) ** 0.5
    return Certificate(name, {"primal_residual": resid, "stationarity_outside_row_space": off}, max(tol, 1e-11))


def width_k_limit(raw, reference) -> Certificate:
    X, y = arr(raw, "X"), arr(raw, "y")
    d, k = X.shape[1], int(raw["k"])
    rng = np.random.default_rng(int(raw["seed"]))
    U0 = float(raw["sigma"]) * rng.standard_normal((d, k))
    V0 = float(raw["sigma"]) * rng.standard_normal((d, k))
    A = np.sum((U0 + V0) ** 2, axis=1) / 4.0
    B = np.sum((U0 - V0) ** 2, axis=1) / 4.0
    return _equality_kkt(X, y, np.asarray(reference["beta"], float), np.log(A), np.log(B),
                         "independent: X beta = y, asinh(beta/2gamma) - c in row X (start re-drawn from the seed)")


def alpha_limit(raw, reference) -> Certificate:
    X, y = arr(raw, "X"), arr(raw, "y")
    la = np.full(X.shape[1], 2.0 * np.log(float(reference["alpha_eff"])))
    return _equality_kkt(X, y, np.asarray(reference["beta"], float), la, la,
                         "independent: X beta = y, asinh(beta/2 alpha_eff^2) in row X")


def margin_q_alpha(raw, reference) -> Certificate:
    X, y = arr(raw, "X"), arr(raw, "y")
    Z = y[:, None] * X
    a2 = float(raw["alpha"]) ** 2
    worst = {"stationarity": 0.0, "primal_infeasibility": 0.0, "complementarity": 0.0}
    for beta, m in zip(np.atleast_2d(reference["beta"]), np.atleast_2d(reference["m"])):
        z = np.arcsinh(beta / (2.0 * a2))
        lam, rn = scipy.optimize.nnls(Z.T, z)
        marg = Z @ beta
        ms = max(float(np.max(np.abs(m))), 1e-300)
        worst["stationarity"] = max(worst["stationarity"], rn / max(float(np.linalg.norm(z)), 1e-300))
        worst["primal_infeasibility"] = max(worst["primal_infeasibility"], float(max(0.0, np.max(m - marg))) / ms)
        worst["complementarity"] = max(worst["complementarity"],
                                       float(np.max(lam * np.abs(marg - m))) / (max(float(np.max(lam)), 1e-300) * ms))
    tol = 1e3 * max(Z.shape) * condition(Z) * EPS
    return Certificate("independent: asinh(beta/2alpha^2) = Z^T lambda, lambda >= 0 by NNLS; Z beta >= m; "
                       "complementarity", worst, max(tol, 1e-10))


def l1_max_margin_pair(raw, reference) -> Certificate:
    X, y = arr(raw, "X"), arr(raw, "y")
    Z = y[:, None] * X
    b, lam = np.asarray(reference["beta1"], float), np.asarray(reference["lam"], float)
    obj = float(np.sum(np.abs(b)))
    res = {"primal_infeasibility": float(max(0.0, np.max(1.0 - Z @ b))),
           "dual_sign": float(max(0.0, -np.min(lam))),
           "dual_infeasibility": float(max(0.0, np.max(np.abs(Z.T @ lam)) - 1.0)),
           "duality_gap": abs(obj - float(np.sum(lam))) / max(obj, 1e-300)}
    return Certificate("independent: l1 max margin primal/dual feasibility and zero duality gap", res, 1e-7)


def tangent_interpolant(raw, reference) -> Certificate:
    """f_K on the test points from the tangent kernel at the antisymmetric start re-drawn from the seed; the
    kernel's features are the complex-step derivatives Im f(theta + i h e_j) / h of the forward map (tanh is
    analytic: exact to rounding, no cancellation, unlike central differences), not the closed-form features."""
    X, y = arr(raw, "X"), arr(raw, "y")
    Xt = np.asarray(reference["X_test"], float)
    d = X.shape[1]
    M0 = int(raw["width"]) // 2
    rng = np.random.default_rng(int(raw["seed"]))
    a0 = rng.choice([-1.0, 1.0], M0) * rng.uniform(0.5, 1.5, M0)
    W0 = rng.standard_normal((M0, d))
    theta = np.concatenate([a0, -a0, np.vstack([W0, W0]).ravel()])
    M = 2 * M0
    h = 1e-30

    def jac(Xs):
        E = theta[None, :] + 1j * h * np.eye(theta.size)  # one complex perturbation per row
        A, W = E[:, :M], E[:, M:].reshape(theta.size, M, d)
        out = np.einsum("pm,pnm->np", A, np.tanh(np.einsum("nd,pmd->pnm", Xs, W))) / np.sqrt(M)
        return out.imag / h

    J, Jt = jac(X), jac(Xt)
    K = J @ J.T
    ft = (Jt @ J.T) @ np.linalg.solve(K, y)
    fr = np.asarray(reference["f_test"], float)
    err = float(np.linalg.norm(ft - fr)) / max(float(np.linalg.norm(fr)), 1e-300)
    # two Gram solves with condition number cond(K), each backward stable: forward error ~ cond(K) u
    tol = max(1e-12, 100.0 * condition(K) * EPS)
    return Certificate("independent: tangent kernel by complex-step derivatives of the forward map, Gram solve",
                       {"disagreement": err}, tol)


__all__ = ["alpha_limit", "l1_max_margin_pair", "margin_q_alpha", "tangent_interpolant", "width_k_limit"]
