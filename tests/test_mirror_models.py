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
