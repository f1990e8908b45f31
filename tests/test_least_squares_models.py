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


@pytest.mark.parametrize("runner", [
    lambda X, y, w0, k: ls.gradient_descent(X, y, w0, 0.1 / np.linalg.norm(X, 2) ** 2, max_iter=k),
    lambda X, y, w0, k: ls.heavy_ball(X, y, w0, 0.1 / np.linalg.norm(X, 2) ** 2, 0.5, max_iter=k),
    lambda X, y, w0, k: ls.nesterov(X, y, w0, 0.1 / np.linalg.norm(X, 2) ** 2, 0.5, max_iter=k),
    lambda X, y, w0, k: ls.minibatch_sgd(X, y, w0, 0.01, 2, 0, max_iter=k),
    lambda X, y, w0, k: ls.adam(X, y, w0, 1e-3, max_iter=k),
    lambda X, y, w0, k: ls.adagrad(X, y, w0, 1e-3, max_iter=k),
    lambda X, y, w0, k: ls.linf_steepest_descent(X, y, w0, max_iter=k),
    lambda X, y, w0, k: ls.coordinate_descent(X, y, w0, "cyclic", max_iter=k),
    lambda X, y, w0, k: ls.coordinate_descent(X, y, w0, "greedy", max_iter=k),
], ids=["gd", "heavy-ball", "nesterov", "sgd", "adam", "adagrad", "linf", "cyclic-cd", "greedy-cd"])
def test_an_exhausted_budget_reports_the_updates_made_and_the_final_iterate(problem, runner):
    """With the iteration budget spent before convergence, ``iterations`` is the number of updates
    made and the last snapshot is the returned iterate (not the one before the last update)."""
    X, y, w0 = problem
    k = 7
    run = runner(X, y, w0, k)
    assert run.iterations == k and run.history_t[-1] == k
    assert np.array_equal(run.history_w[-1], run.w)
    assert np.linalg.norm(X @ run.w - y) > 1e-6 * np.linalg.norm(y)  # not converged: the budget ended it


def test_gd_matches_the_update_rule_for_every_loss_and_a_nonzero_start(problem):
    X, y, w0 = problem
    eta = 0.3 / np.linalg.norm(X, 2) ** 2
    for name in LOSSES:
        loss = loss_by_name(name)
        run = ls.gradient_descent(X, y, w0, eta, loss, max_iter=3)
        w = w0.copy()
        for _ in range(3):
            w = w - eta * X.T @ loss.grad(X @ w - y)
        assert np.allclose(run.w, w, rtol=1e-14, atol=1e-14)
        assert run.max_norm >= np.linalg.norm(w0)


def test_unknown_losses_and_rules_are_rejected():
    with pytest.raises(ValueError, match="unknown loss"):
        loss_by_name("hinge")
    bogus = ls.Loss("hinge")
    for f in (bogus.value, bogus.grad):
        with pytest.raises(ValueError, match="unknown loss"):
            f(np.zeros(2))
    with pytest.raises(ValueError, match="unknown coordinate rule"):
        ls.coordinate_descent(np.eye(2), np.ones(2), np.zeros(2), "random")


def test_pseudo_huber_delta_and_log_cosh_overflow_free():
    r = np.array([-1e3, -1.0, 0.0, 2.0, 1e3])
    ph = loss_by_name("pseudo-huber", delta=0.5)
    assert np.allclose(ph.value(r), 0.25 * (np.sqrt(1 + (r / 0.5) ** 2) - 1))
    lc = loss_by_name("log-cosh")
    assert np.all(np.isfinite(lc.value(r))) and lc.value(np.array([1e3]))[0] == pytest.approx(1e3 - np.log(2))


def test_quasi_newton_history_ends_at_the_returned_point(problem, monkeypatch):
    """scipy reports every iterate to the callback today; if a version returned a point it never
    reported (e.g. after a failed line search), the run's history must still end at that point."""
    X, y, w0 = problem
    for method in ("BFGS", "L-BFGS-B"):
        run = ls.quasi_newton(X, y, w0, method, maxiter=1)
        assert np.array_equal(run.history_w[-1], run.w) and run.iterations == 1 and "success" in run.info
    import scipy.optimize

    real = scipy.optimize.minimize

    def silent(fun, x0, jac, method, options, callback):  # the same solve, callback never called
        return real(fun, x0, jac=jac, method=method, options=options)

    monkeypatch.setattr(scipy.optimize, "minimize", silent)
    run = ls.quasi_newton(X, y, w0, "BFGS")
    assert run.history_t == [0, 1] and np.array_equal(run.history_w[-1], run.w)
    assert np.linalg.norm(X @ run.w - y) <= 1e-10 * np.linalg.norm(y)


def test_a_run_started_at_the_solution_stops_at_once():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 8))
    w0 = rng.standard_normal(8)
    y = X @ w0
    for run in (ls.gradient_descent(X, y, w0, 0.1), ls.heavy_ball(X, y, w0, 0.1, 0.5), ls.adam(X, y, w0, 1e-3),
                ls.linf_steepest_descent(X, y, w0, eta=1e-3), ls.coordinate_descent(X, y, w0, "greedy")):
        assert run.iterations == 0 and run.history_t == [0] and np.array_equal(run.w, w0)


def test_lp_distance_rejects_other_norms():
    from solvers.min_norm import min_lp_distance_interpolant

    with pytest.raises(ValueError, match="p must be 1 or inf"):
        min_lp_distance_interpolant(np.eye(2), np.ones(2), np.zeros(2), 2)


def test_adaptive_methods_follow_their_update_rules_with_non_default_options(problem):
    """Adam (beta1, beta2, eps) and AdaGrad (eps) against a direct transcription of their updates."""
    X, y, w0 = problem
    eta, b1, b2, eps = 1e-3, 0.5, 0.9, 1e-4
    run = ls.adam(X, y, w0, eta, beta1=b1, beta2=b2, eps=eps, max_iter=4)
    w, m, v = w0.copy(), np.zeros(12), np.zeros(12)
    for t in range(4):
        g = X.T @ (X @ w - y)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        w = w - eta * (m / (1 - b1 ** (t + 1))) / (np.sqrt(v / (1 - b2 ** (t + 1))) + eps)
    assert np.allclose(run.w, w, rtol=1e-14, atol=1e-15)
    run = ls.adagrad(X, y, w0, 0.1, eps=1e-3, max_iter=3)
    w, G = w0.copy(), np.zeros(12)
    for _ in range(3):
        g = X.T @ (X @ w - y)
        G += g * g
        w = w - 0.1 * g / np.sqrt(G + 1e-3)
    assert np.allclose(run.w, w, rtol=1e-14, atol=1e-15)


def test_krylov_and_quasi_newton_options(problem):
    X, y, w0 = problem
    short = ls.cg_normal_equations(X, y, w0, maxiter=2)
    assert short.iterations == 2 and short.info["scipy_info"] > 0  # stopped by maxiter, said so
    from theorems.strategies.matrices import conditioned_matrix

    rng = np.random.default_rng(2)
    Xb, yb = conditioned_matrix(rng, 30, 60, 1e3), rng.standard_normal(30)  # LSQR needs many steps here
    loose = ls.lsqr_from(Xb, yb, np.zeros(60), rtol=1e-4)
    tight = ls.lsqr_from(Xb, yb, np.zeros(60))
    assert loose.iterations < tight.iterations and np.linalg.norm(Xb @ loose.w - yb) > np.linalg.norm(Xb @ tight.w - yb)
    coarse = ls.quasi_newton(X, y, w0, "BFGS", gtol=1e-3)
    assert np.linalg.norm(X.T @ (X @ coarse.w - y)) <= 1e-3 * 10
    sparse_checks = ls.gradient_descent(X, y, w0, 0.5 / np.linalg.norm(X, 2) ** 2, check_every=1000)
    assert sparse_checks.iterations % 1000 == 0  # convergence is only tested every check_every steps
