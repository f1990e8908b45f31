"""Unit tests of models/mirror_descent.py: potentials, mirror descent, square-reparam dynamics."""
import numpy as np
import pytest

from models.mirror_descent import (
    entropic_mirror_flow,
    half_squared_pnorm,
    hyperbolic_entropy,
    mirror_descent,
    negative_entropy,
    square_reparam_flow,
    square_reparam_gd,
    unbiased_square_flow,
)

POTS = [negative_entropy(), half_squared_pnorm(1.5), half_squared_pnorm(1.25), hyperbolic_entropy(0.3)]


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.name)
def test_mirror_map_inverts(pot):
    rng = np.random.default_rng(0)
    w = np.exp(rng.standard_normal(7)) if pot.domain == "positive" else rng.standard_normal(7)
    assert np.allclose(pot.grad_inv(pot.grad(w)), w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.name)
def test_conjugate_hessian_matches_finite_differences(pot):
    rng = np.random.default_rng(1)
    th = rng.standard_normal(5)
    v = rng.standard_normal(5)
    h = 1e-6
    fd = (pot.grad_inv(th + h * v) - pot.grad_inv(th - h * v)) / (2 * h)
    assert np.allclose(pot.conj_hess_mv(th, v), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.name)
def test_bregman_divergence_nonnegative_and_zero_on_diagonal(pot):
    rng = np.random.default_rng(2)
    draw = (lambda: np.exp(rng.standard_normal(6))) if pot.domain == "positive" else (lambda: rng.standard_normal(6))
    a, b = draw(), draw()
    assert pot.bregman(a, b) > 0
    assert abs(pot.bregman(a, a)) < 1e-12


def test_mirror_descent_dual_iterate_stays_in_affine_row_space():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2, 6))
    y = X @ np.exp(rng.standard_normal(6))
    w0 = np.ones(6)
    pot = negative_entropy()
    run = mirror_descent(X, y, w0, pot, eta=0.01, rtol=1e-12)
    assert run.relative_residual <= 1e-11
    Q, _ = np.linalg.qr(X.T)
    d = run.theta - pot.grad(w0)
    assert np.linalg.norm(d - Q @ (Q.T @ d)) < 1e-12 * max(1.0, np.linalg.norm(d))


def test_square_flow_equals_entropic_mirror_flow_with_constant_4():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((2, 5))
    y = X @ np.exp(rng.standard_normal(5))
    ts = np.linspace(0, 1.0, 11)
    a = square_reparam_flow(X, y, np.full(5, 0.5), 1.0, t_eval=ts)
    b4 = entropic_mirror_flow(X, y, np.full(5, 0.25), 4.0, 1.0, t_eval=ts)
    b2 = entropic_mirror_flow(X, y, np.full(5, 0.25), 2.0, 1.0, t_eval=ts)
    assert np.max(np.abs(a.u - b4.u)) < 1e-9
    assert np.max(np.abs(a.u - b2.u)) > 1e-3


def test_square_gd_converges_and_unbiased_flow_starts_at_zero():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((2, 5)) / 3
    y = X @ np.exp(rng.standard_normal(5))
    run = square_reparam_gd(X, y, np.full(5, 0.7), [0.05, 0.025])
    assert np.all(run.relative_residual <= 1e-12)
    fl = unbiased_square_flow(X, y, 0.5, 50.0, stop_rtol=1e-9)
    assert np.allclose(fl.u[0], 0.0) and fl.relative_residual <= 1e-8


def test_potential_parameters_are_validated():
    with pytest.raises(ValueError, match="not in"):
        half_squared_pnorm(2.0)
    with pytest.raises(ValueError, match="must be positive"):
        hyperbolic_entropy(0.0)


def test_pnorm_hessians_at_the_origin():
    """phi^* = 1/2||theta||_q^2 (q > 2) has a zero Hessian at 0; phi = 1/2||w||_p^2 (p < 2) an
    unbounded one: both are returned without a division warning."""
    pot = half_squared_pnorm(1.5)
    with np.errstate(all="raise"):
        assert np.array_equal(pot.conj_hess_mv(np.zeros(3), np.eye(3)), np.zeros((3, 3)))
        assert np.all(np.isinf(pot.hess_mv(np.zeros(3), np.ones(3))))


def test_mirror_descent_budget_and_history():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((2, 5))
    y = rng.standard_normal(2)
    pot = hyperbolic_entropy(0.5)
    run = mirror_descent(X, y, rng.standard_normal(5), pot, eta=0.01, max_iter=30, check_every=7)
    assert run.iterations == 30 and run.history_t[-1] == 30 and np.array_equal(run.history_w[-1], run.w)
    assert run.relative_residual > 1e-6 and run.max_theta_norm > 0
    full = mirror_descent(X, y, np.zeros(5), half_squared_pnorm(1.5), eta=0.05, rtol=1e-12)  # from w0 = 0
    assert full.relative_residual <= 1e-11


def test_flow_dense_output_and_final_state():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((2, 5))
    y = X @ np.exp(rng.standard_normal(5))
    ts = np.linspace(0.0, 1.0, 7)
    fixed = entropic_mirror_flow(X, y, np.full(5, 0.3), 4.0, 1.0, t_eval=ts)
    dense = entropic_mirror_flow(X, y, np.full(5, 0.3), 1.0, 4.0, dense_output=True)
    assert dense.dense is not None and dense.steps > 0 and fixed.dense is None
    assert np.allclose(dense.dense(4.0 * ts), fixed.u, rtol=1e-9, atol=1e-11)  # constant c at t = constant 1 at ct
    sq = square_reparam_flow(X, y, np.full(5, np.sqrt(0.3)), 1.0, dense_output=True)
    assert np.allclose(sq.dense(np.array([1.0]))[0], sq.u_final) and sq.steps == len(sq.t) - 1


def test_square_gd_stops_at_its_round_off_floor():
    """Asked for a residual below its floor (rtol 0), GD runs to the budget without the stall test and
    stops within a few hundred steps of the floor with it, at the same point to round-off."""
    rng = np.random.default_rng(9)
    X = rng.standard_normal((2, 5)) / 3
    y = X @ np.exp(rng.standard_normal(5))
    w0 = np.full(5, 0.7)
    plain = square_reparam_gd(X, y, w0, [0.05, 0.1], rtol=0.0, max_iter=20_000)
    assert np.all(plain.iterations == 20_000)
    stalled = square_reparam_gd(X, y, w0, [0.05, 0.1], rtol=0.0, max_iter=20_000, stall_checks=10)
    assert np.all(stalled.iterations < 20_000) and np.all(stalled.relative_residual < 1e-13)
    assert np.allclose(stalled.u, plain.u, rtol=1e-12, atol=1e-14)
    assert stalled.iterations[1] < stalled.iterations[0]  # the larger step converges first


def test_mirror_descent_started_at_the_projection_stops_at_once():
    rng = np.random.default_rng(12)
    X = rng.standard_normal((2, 5))
    w0 = np.exp(rng.standard_normal(5))
    run = mirror_descent(X, X @ w0, w0, negative_entropy(), eta=0.1)
    assert run.iterations == 0 and run.history_t == [0] and np.array_equal(run.w, w0)
