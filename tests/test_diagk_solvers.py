"""Solvers of catalogue entry 10: the general-start Q (scale, shift, width-k start), the margin-constrained
Q by its bounded dual, the l1 / l2 / l_{2/D} margin references, the tangent-kernel interpolant."""
from __future__ import annotations

import numpy as np
import pytest

from solvers.margin_lp import l1_max_margin, l2_max_margin, lp_kkt_residual, off_support_exponents
from solvers.q_alpha import argmin_q_general
from solvers.q_general import (argmin_q_ab, argmin_q_ab_batch, argmin_q_scale_shift, argmin_q_width_k, log_ab_from_scale_shift,
                               primal_route_ab, scale_shift_from_log_ab, width_k_log_ab)
from solvers.q_margin import argmin_q_alpha_margin, argmin_q_margin
from solvers.tangent_kernel import kernel_interpolant, tangent_kernel
from theorems.strategies.diagk import separable_draw


def test_scale_shift_roundtrip_and_agreement_with_general_start():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((3, 7)), rng.standard_normal(3)
    R, c = rng.uniform(0.5, 2.0, 7), rng.uniform(-1, 1, 7)
    la, lb = log_ab_from_scale_shift(R, c)
    R2, c2 = scale_shift_from_log_ab(la, lb)
    assert np.allclose(R, R2) and np.allclose(c, c2)
    b, certs, info = argmin_q_scale_shift(X, y, R, c)
    assert all(ct.valid for ct in certs)
    assert np.allclose(X @ b, y, atol=1e-12)
    assert np.allclose(b, R * np.sinh(X.T @ info["nu"] + c), rtol=1e-10, atol=1e-12)
    bp, pg = primal_route_ab(X, y, la, lb)
    assert np.linalg.norm(bp - b) < 1e-8 * np.linalg.norm(b) and pg < 1e-8


def test_width_k_moments_formula():
    rng = np.random.default_rng(1)
    U, V = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    la, lb = width_k_log_ab(U, V)
    a, b, m = np.sum(U * U, 1), np.sum(V * V, 1), np.sum(U * V, 1)
    R, c = scale_shift_from_log_ab(la, lb)
    assert np.allclose(R, np.sqrt(((a + b) / 2) ** 2 - m**2)) and np.allclose(c, np.arctanh(2 * m / (a + b)))
    X, y = rng.standard_normal((2, 5)), rng.standard_normal(2)
    b1 = argmin_q_width_k(X, y, U, V, cross_check=False)[0]
    b2 = argmin_q_general(X, y, np.exp(la / 2), np.exp(lb / 2), cross_check=False)[0]
    assert np.allclose(b1, b2)


def test_degenerate_width_start_is_rejected():
    X, y = np.eye(2, 3), np.ones(2)
    U = np.ones((3, 2))
    with pytest.raises(ValueError, match="degenerate"):
        argmin_q_ab(X, y, *width_k_log_ab(U, U))


def test_margin_q_interior_and_with_inactive_constraints():
    X, y = separable_draw(np.random.default_rng(2), 4, 8)
    Z = y[:, None] * X
    m = np.array([1.0, 2.0, 0.5, 1.5])
    b, cert, sol = argmin_q_alpha_margin(X, y, m, 0.7)
    assert cert.valid, cert.residuals
    assert np.all(Z @ b >= m - 1e-10) and np.all(sol.lam >= 0)
    # with N > d some constraints are inactive: the bounded dual must hold them at 0
    rng = np.random.default_rng(3)
    X2 = rng.standard_normal((8, 3))
    w = rng.standard_normal(3)
    y2 = np.sign(X2 @ w)
    b2, cert2, sol2 = argmin_q_margin(X2, y2, np.ones(8), 0.0, 0.0)
    assert cert2.valid, cert2.residuals
    assert np.sum(~sol2.active) >= 1


def test_l1_l2_margins_and_exponents():
    X, y = separable_draw(np.random.default_rng(4), 4, 8)
    b1, lam, cert = l1_max_margin(X, y)
    assert cert.valid, cert.residuals
    ex = off_support_exponents(X, y, b1, lam)
    assert ex.size == 8 - np.sum(np.abs(b1) > 1e-9) and np.all((ex > 0) & (ex <= 1))
    b2, c2 = l2_max_margin(X, y)
    assert c2.valid
    assert lp_kkt_residual(X, y, b1, 1.0)["stationarity"] < 1e-8
    assert lp_kkt_residual(X, y, b2, 2.0)["stationarity"] < 1e-6
    assert lp_kkt_residual(X, y, b2, 2 / 3)["stationarity"] > 0.05
    assert lp_kkt_residual(X, y, -b1, 1.0)["stationarity"] == np.inf
    tau = lp_kkt_residual(X, y, b2, 2.0)["tau"]
    assert lp_kkt_residual(X, y, b2, 2.0, weights=tau)["stationarity"] < 1e-6


def test_l1_lp_failure_is_reported():
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    y = np.array([1.0, -1.0])
    b, lam, cert = l1_max_margin(X, y)
    assert not cert.valid and np.all(np.isnan(b))


def test_tangent_kernel_interpolant_both_activations():
    rng = np.random.default_rng(5)
    a = np.concatenate([np.ones(3), -np.ones(3)])
    W = np.vstack([rng.standard_normal((3, 2))] * 2)
    X, y, Xt = rng.standard_normal((3, 2)), rng.standard_normal(3), rng.standard_normal((4, 2))
    for act in ("tanh", "relu"):
        f, cert, info = kernel_interpolant(X, y, X, a, W, act)
        assert cert.valid and np.allclose(f, y, atol=1e-9)
    K = tangent_kernel(X, X, a, W)
    assert np.allclose(K, K.T)
    with pytest.raises(ValueError):
        tangent_kernel(X, X, a, W, "gelu")


def test_batched_dual_newton_matches_the_single_problem_solver_and_warm_starts():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((3, 7)), rng.standard_normal(3)
    la, lb = rng.uniform(-6, 2, (5, 7)), rng.uniform(-6, 2, (5, 7))
    beta, nu, rel, bound = argmin_q_ab_batch(X, y, la, lb)
    for i in range(5):
        b, certs, info = argmin_q_ab(X, y, la[i], lb[i], cross_check=False)
        assert np.linalg.norm(beta[i] - b) <= 1e-10 * np.linalg.norm(b)
        assert rel[i] < 1e-13 and 0 < bound[i] < 1e-10 * np.linalg.norm(b)
    # warm start from the solutions: converged at once, same answer; bounds off -> NaN
    beta2, nu2, rel2, bound2 = argmin_q_ab_batch(X, y, la, lb, nu0=nu, bounds=False)
    assert np.allclose(beta2, beta, rtol=1e-12, atol=0) and np.all(np.isnan(bound2))
    # a far-off start (a tiny scale: the rich regime) still converges, with the z-move cap and backtracking
    tiny = np.full((1, 7), -40.0)
    bt, _, rt, _ = argmin_q_ab_batch(X, y, tiny, tiny)
    assert rt[0] < 1e-12 and np.allclose(bt[0], argmin_q_ab(X, y, tiny[0], tiny[0], cross_check=False)[0], rtol=1e-9)
    # an iteration budget too small to converge leaves a visible residual (never a silent pass)
    assert argmin_q_ab_batch(X, y, tiny, tiny, max_iter=2)[2][0] > 1e-6


def test_planted_l1_instances_have_the_planted_solution():
    from theorems.strategies.diagk import planted_l1_draw
    for seed in range(5):
        X, y, b, lam = planted_l1_draw(np.random.default_rng(seed), 2 + seed % 3, 7)
        b1, lam1, cert = l1_max_margin(X, y)
        assert cert.valid
        assert np.allclose(b1, b, atol=1e-12) and np.allclose(lam1, lam, atol=1e-12)
        ex = off_support_exponents(X, y, b1, lam1)
        assert np.all((ex >= 0.3 - 1e-12) & (ex <= 0.9 + 1e-12))


def test_starts_beyond_float_range_run_in_the_log_domain():
    """log A = log B = -1500 (A = e^-1500 underflows to 0 in float64): the log-domain route (continuation in the
    scale) solves and certifies; at that scale the argmin is the min-l1 interpolant up to e^-1500-size terms. A cold
    batched solve at that scale cannot move (zero curvature) and says so through its residual."""
    from solvers.min_norm import min_lp_distance_interpolant
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((2, 5)), rng.standard_normal(2)
    la = np.full(5, -1500.0)
    b, certs, info = argmin_q_ab(X, y, la, la)
    assert all(c.valid for c in certs) and np.allclose(X @ b, y, atol=1e-10)
    b1 = min_lp_distance_interpolant(X, y, np.zeros(5), 1)[0]
    assert np.linalg.norm(b - b1) <= 1e-9 * np.linalg.norm(b1)
    assert argmin_q_ab_batch(X, y, la[None], la[None])[2][0] > 1e-6


def test_equal_margin_l1_differs_exactly_when_a_margin_is_inactive():
    from solvers.margin_lp import l1_min_equal_margins
    from theorems.strategies.diagk import planted_l1_draw
    X, y, b, lam = planted_l1_draw(np.random.default_rng(3), 3, 7)  # every margin active: the two LPs agree
    be, nu, ce = l1_min_equal_margins(X, y)
    assert ce.valid and np.allclose(be, b, atol=1e-10)
    X, y, b, lam = planted_l1_draw(np.random.default_rng(3), 3, 7, inactive=1)  # one margin at 1.5..3
    Z = y[:, None] * X
    assert lam[-1] == 0.0 and 1.5 - 1e-12 <= Z[-1] @ b <= 3.0 + 1e-12
    b1, lam1, c1 = l1_max_margin(X, y)
    assert c1.valid and np.allclose(b1, b, atol=1e-10)
    be, nu, ce = l1_min_equal_margins(X, y)
    assert ce.valid and np.allclose(Z @ be, 1.0, atol=1e-9)
    assert np.sum(np.abs(be / np.abs(be).sum() - b / np.abs(b).sum())) > 0.05
    bad = l1_min_equal_margins(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([1.0, -1.0]))  # infeasible equalities
    assert not bad[2].valid and np.all(np.isnan(bad[0]))
