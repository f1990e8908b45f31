"""Unit tests of the least-squares optimizers and losses (models/), independent of the claims."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse.linalg

from models import least_squares as ls
from models.losses import LOSSES, loss_by_name
from solvers.min_norm import row_space_basis


@pytest.fixture
def problem():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 12))
    return X, rng.standard_normal(5), rng.standard_normal(12)


@pytest.mark.parametrize("name", LOSSES)
def test_loss_gradient_and_curvature(name):
    loss = loss_by_name(name)
    r = np.linspace(-30, 30, 601)
    h = 1e-6
    fd = (loss.value(r + h) - loss.value(r - h)) / (2 * h)
    assert np.allclose(fd, loss.grad(r), atol=1e-6)
    curv = (loss.grad(r + h) - loss.grad(r - h)) / (2 * h)
    assert curv.max() <= loss.curvature + 1e-6 and curv.min() >= 0
    assert loss.value(np.array([0.0]))[0] == 0 and (loss.value(r[r != 0]) > 0).all()


def _null_component(X, w, w0):
    _, Vn, _ = row_space_basis(X)
    return np.linalg.norm(Vn.T @ (w - w0))


@pytest.mark.parametrize("runner", [
    lambda X, y, w0: ls.gradient_descent(X, y, w0, 1.0 / np.linalg.norm(X, 2) ** 2),
    lambda X, y, w0: ls.heavy_ball(X, y, w0, 0.5 / np.linalg.norm(X, 2) ** 2, 0.7),
    lambda X, y, w0: ls.nesterov(X, y, w0, 0.5 / np.linalg.norm(X, 2) ** 2, 0.7),
    lambda X, y, w0: ls.minibatch_sgd(X, y, w0, 0.1 / np.max(np.sum(X**2, 1)), 2, 3),
    lambda X, y, w0: ls.cg_normal_equations(X, y, w0),
    lambda X, y, w0: ls.lsqr_from(X, y, w0),
    lambda X, y, w0: ls.quasi_newton(X, y, w0, "BFGS"),
    lambda X, y, w0: ls.quasi_newton(X, y, w0, "L-BFGS-B"),
], ids=["gd", "heavy-ball", "nesterov", "sgd", "cg", "lsqr", "bfgs", "l-bfgs"])
def test_row_space_methods_interpolate_and_stay_in_w0_plus_row_space(problem, runner):
    X, y, w0 = problem
    run = runner(X, y, w0)
    assert np.linalg.norm(X @ run.w - y) <= 1e-10 * np.linalg.norm(y)
    assert _null_component(X, run.w, w0) <= 1e-12 * np.linalg.norm(run.w)
    assert run.history_t[0] == 0 and len(run.history_t) == len(run.history_w)


@pytest.mark.parametrize("runner", [
    lambda X, y, w0: ls.adam(X, y, w0, 0.5 * 1e-2 / np.linalg.norm(X, 2) ** 2, eps=1e-2),
    lambda X, y, w0: ls.adagrad(X, y, w0, 0.05),
    lambda X, y, w0: ls.linf_steepest_descent(X, y, w0),
    lambda X, y, w0: ls.coordinate_descent(X, y, w0, "cyclic"),
    lambda X, y, w0: ls.coordinate_descent(X, y, w0, "greedy"),
], ids=["adam", "adagrad", "linf", "cyclic-cd", "greedy-cd"])
def test_adaptive_methods_interpolate_but_leave_the_row_space(problem, runner):
    X, y, w0 = problem
    run = runner(X, y, w0)
    assert np.linalg.norm(X @ run.w - y) <= 1e-10 * np.linalg.norm(y)
    assert _null_component(X, run.w, w0) > 1e-3


def test_cg_run_past_convergence_drifts_into_the_null_space():
    """The catalogue's trap: CG on X^T X with tol = 0 keeps iterating on round-off, which is not
    confined to row(X); the stopped solver (cg_normal_equations) does not drift."""
    rng = np.random.default_rng(0)
    from theorems.strategies.matrices import conditioned_matrix
    X = conditioned_matrix(rng, 8, 40, 1e3)
    y, w0 = rng.standard_normal(8), np.zeros(40)
    A = scipy.sparse.linalg.LinearOperator((40, 40), matvec=lambda v: X.T @ (X @ v), dtype=float)
    delta, _ = scipy.sparse.linalg.cg(A, X.T @ y, rtol=0.0, atol=0.0, maxiter=4000)
    stopped = ls.cg_normal_equations(X, y, w0)
    drift_far = _null_component(X, delta, w0) / np.linalg.norm(delta)
    drift_stopped = _null_component(X, stopped.w, w0) / np.linalg.norm(stopped.w)
    assert drift_stopped < 1e-12
    assert drift_far > 100 * drift_stopped
