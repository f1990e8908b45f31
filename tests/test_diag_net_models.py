"""Unit tests of models.diag_net (gradient flow, GD, tangent kernel)."""
import numpy as np

from models.diag_net import (beta_of, diag_net_gradient_descent, diag_net_gradient_flow, flow_rhs, gd_step_bound,
                             tangent_kernel)


def _system(seed=0, m=3, d=8):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, d)) / np.sqrt(d), rng.standard_normal(m)


def test_flow_jacobian_matches_finite_differences():
    X, y = _system()
    rhs, jac = flow_rhs(X, y)
    w = np.random.default_rng(1).uniform(0.2, 1.5, 16)
    J = jac(0.0, w)
    h = 1e-6
    Jfd = np.column_stack([(rhs(0, w + h * e) - rhs(0, w - h * e)) / (2 * h) for e in np.eye(16)])
    assert np.allclose(J, Jfd, atol=1e-7)


def test_flow_interpolates_and_keeps_product():
    X, y = _system()
    wp0 = np.full(8, 0.5)
    run = diag_net_gradient_flow(X, y, wp0, wp0, residual_target=1e-11)
    assert run.converged and np.linalg.norm(X @ run.beta - y) <= 2e-11
    assert np.max(np.abs(run.w_plus * run.w_minus - 0.25)) < 1e-9


def test_gd_converges_and_breaks_invariant():
    X, y = _system()
    w0 = np.ones(8)
    run = diag_net_gradient_descent(X, y, w0, w0, 0.5 * gd_step_bound(X, w0, w0), loss_target=1e-20)
    assert run.converged
    assert np.max(np.abs(run.w_plus * run.w_minus - 1.0)) > 1e-6


def test_tangent_kernel_is_8_alpha2_gram():
    X, _ = _system()
    a = 0.7
    K = tangent_kernel(X, X, np.full(8, a), np.full(8, a))
    assert np.allclose(K, 8 * a * a * X @ X.T, rtol=1e-9, atol=1e-12)


def test_beta_of():
    assert np.allclose(beta_of(np.array([2.0]), np.array([1.0])), [3.0])
