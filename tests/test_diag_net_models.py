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


def test_reduced_flow_follows_the_full_flow():
    """The exact m-dimensional reduction (G = int r) lands where the 2d-dimensional flow lands, from
    alpha and from a general start (signs and magnitudes), and keeps w+ w- exactly."""
    from models.diag_net import diag_net_gradient_flow_reduced

    X, y = _system(2)
    rng = np.random.default_rng(3)
    starts = [(np.full(8, 0.1), np.full(8, 0.1)),
              (rng.choice([-1.0, 1.0], 8) * rng.uniform(0.2, 2, 8), rng.choice([-1.0, 1.0], 8) * rng.uniform(0.2, 2, 8))]
    for wp0, wm0 in starts:
        full = diag_net_gradient_flow(X, y, wp0, wm0, residual_target=1e-12)
        red = diag_net_gradient_flow_reduced(X, y, wp0, wm0, residual_target=1e-12)
        assert red.converged and red.info["reduced"]
        assert np.linalg.norm(red.beta - full.beta) <= 1e-9 * np.linalg.norm(full.beta)
        assert np.allclose(red.w_plus * red.w_minus, wp0 * wm0, rtol=1e-12)
        assert len(red.history_w) == len(red.history_t) and red.max_weight_sq > 0


def test_reduced_flow_reports_a_run_that_stops_early():
    from models.diag_net import diag_net_gradient_flow_reduced

    X, y = _system(4)
    run = diag_net_gradient_flow_reduced(X, y, np.full(8, 0.5), np.full(8, 0.5), residual_target=1e-12, t_max=1e-3)
    assert not run.converged and run.residual > 1e-6


def test_manifold_defect_is_small_on_the_flow_and_large_off_it():
    from models.diag_net import manifold_defect_beta

    X, y = _system(5)
    w0 = np.full(8, 0.7)
    run = diag_net_gradient_flow(X, y, w0, w0, residual_target=1e-11)
    assert np.linalg.norm(manifold_defect_beta(X, run, w0, w0)) < 1e-9
    run.w_plus = run.w_plus * np.exp(1e-4 * np.random.default_rng(0).standard_normal(8))  # knocked off the manifold
    assert np.linalg.norm(manifold_defect_beta(X, run, w0, w0)) > 1e-6


def test_history_of_weights_is_recorded():
    X, y = _system()
    run = diag_net_gradient_flow(X, y, np.full(8, 0.5), np.full(8, 0.5), residual_target=1e-10)
    assert len(run.history_w) == len(run.history_t)
    wp, wm = run.history_w[-1]
    assert np.allclose(wp, run.w_plus) and np.allclose(wm, run.w_minus)


def test_gd_logs_every_k_steps_and_reports_a_stall():
    X, y = _system()
    w0 = np.ones(8)
    run = diag_net_gradient_descent(X, y, w0, w0, 0.1 * gd_step_bound(X, w0, w0), loss_target=1e-30,
                                    max_steps=50, log_every=10)
    assert not run.converged and run.steps == 50
    assert run.history_t[:3] == [0.0, 10.0, 20.0]
