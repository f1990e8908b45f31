"""Unit tests of models.geometry: one step of each method against its formula, the batched runs
against single runs and known limits, the stopping rule, the domain guard, and the flow."""
from __future__ import annotations

import numpy as np
import pytest

from models import geometry as G
from models.mirror_descent import hyperbolic_entropy, mirror_descent, negative_entropy
from solvers.bregman import bregman_projection
from solvers.min_norm import min_norm_interpolant, row_space_basis
from theorems.strategies.matrices import conditioned_matrix


def _system(seed=0, m=2, d=5, kappa=2.0, positive=False):
    rng = np.random.default_rng(seed)
    X = conditioned_matrix(rng, m, d, kappa, 1.0)
    if positive:
        return X, X @ np.exp(0.5 * rng.standard_normal(d)), np.exp(0.5 * rng.standard_normal(d))
    return X, rng.standard_normal(m), rng.standard_normal(d)


def _one_step(fn, X, y, w0, eta, *args, **kw):
    return fn(X, y, w0, [eta], *args, max_iter=1, check_every=10**9, **kw).W[0]


# ---- steepest descent ----------------------------------------------------------------------------

def test_gd_batch_lands_on_min_norm_at_every_step():
    X, y, w0 = _system(1)
    w_star, _ = min_norm_interpolant(X, y, w0)
    etas = np.array([0.2, 0.6, 0.95]) * 2 / np.linalg.norm(X, 2) ** 2
    run = G.gradient_descent(X, y, w0, etas)
    assert run.info["method"] == "gradient descent"
    for w in run.W:
        assert np.linalg.norm(w - w_star) <= 1e-12 * np.linalg.norm(w_star)
    assert np.all(run.relative_residual <= 1e-13) and np.all(run.iterations > 0)
    assert run.history_W.shape[1:] == (3, X.shape[1]) and run.history_t[0] == 0


@pytest.mark.parametrize("p", [np.inf, 1.0, 4.0 / 3.0, 3.0, 2.0])
def test_steepest_descent_one_step_formula(p):
    X, y, w0 = _system(2)
    eta = 0.01
    g = X.T @ (X @ w0 - y)
    if p == np.inf:
        v = np.abs(g).sum() * np.sign(g)
    elif p == 1.0:
        j = int(np.argmax(np.abs(g)))
        v = np.zeros_like(g)
        v[j] = g[j]
    else:
        q = p / (p - 1)
        v = np.linalg.norm(g, q) ** (2 - q) * np.sign(g) * np.abs(g) ** (q - 1)
    w1 = _one_step(G.steepest_descent, X, y, w0, eta, p)
    assert np.allclose(w1, w0 - eta * v, rtol=1e-14, atol=1e-15)
    # the steepest-descent identity <g, v> = ||g||_q^2 = ||v||_p^2 (q the dual exponent)
    q = 1.0 if p == np.inf else (np.inf if p == 1.0 else p / (p - 1))
    assert np.isclose(g @ v, np.linalg.norm(g, q) ** 2, rtol=1e-12)
    assert np.isclose(np.linalg.norm(v, p) ** 2, np.linalg.norm(g, q) ** 2, rtol=1e-12)


def test_steepest_descent_limit_depends_on_eta_with_two_observations():
    X, y, w0 = _system(3, m=2, d=4)
    L = float(np.abs(X.T @ X).sum())
    run = G.steepest_descent(X, y, w0, np.array([0.2, 0.9]) * 2 / L, np.inf)
    assert np.all(run.relative_residual <= 1e-12)
    assert np.linalg.norm(run.W[0] - run.W[1]) > 1e-3 * np.linalg.norm(run.W[0])


def test_single_observation_fixes_the_direction_so_limits_agree():
    """m = 1: g = x r keeps one direction, so l_p steepest descent and AdaGrad reach the same point
    at every step size (the finding on the data set {([1, 2], 1)})."""
    X, y, w0 = np.array([[1.0, 2.0]]), np.array([1.0]), np.zeros(2)
    fr = np.array([0.1, 0.5, 0.9])
    for p, w_exp in ((np.inf, [1 / 3, 1 / 3]), (1.0, [0.0, 0.5]), (4.0 / 3.0, [1 / 17, 8 / 17])):
        A = X.T @ X
        L = np.max(np.diag(A)) if p == 1.0 else np.abs(A).sum()
        run = G.steepest_descent(X, y, w0, fr * 2 / L, p)
        assert np.allclose(run.W, w_exp, atol=1e-13), (p, run.W)
    run = G.adagrad(X, y, w0, fr * 0.4)
    assert np.allclose(run.W, [1 / 3, 1 / 3], atol=1e-13)


def test_steepest_descent_rejects_bad_input():
    X, y, w0 = _system(4)
    with pytest.raises(ValueError):
        G.steepest_descent(X, y, w0, [0.1], 0.5)
    with pytest.raises(ValueError):
        G.gradient_descent(X, y, w0, [0.1, -0.1])
    with pytest.raises(ValueError):
        G.gradient_descent(X, y, w0, np.ones((2, 2)))


def test_budget_end_and_divergence_stop():
    X, y, w0 = _system(5)
    eta = 0.1 / np.linalg.norm(X, 2) ** 2
    run = G.gradient_descent(X, y, w0, [eta], max_iter=30)
    assert run.iterations[0] == 30 and run.relative_residual[0] > 1e-6
    assert run.history_t[-1] == 30
    big = G.gradient_descent(X, y, w0, [5.0 / np.linalg.norm(X, 2) ** 2], max_iter=10_000)
    assert big.iterations[0] < 10_000 and not big.relative_residual[0] <= 1.0  # diverged, stopped early


def test_snapshot_before():
    X, y, w0 = _system(6)
    run = G.gradient_descent(X, y, w0, [0.5 / np.linalg.norm(X, 2) ** 2])
    T = int(run.iterations[0])
    snap = run.snapshot_before(0, 0.9 * T)
    idx = max(i for i, t in enumerate(run.history_t) if t <= 0.9 * T)
    assert np.array_equal(snap, run.history_W[idx, 0])
    assert np.array_equal(run.snapshot_before(0, -1.0), w0)


# ---- AdaGrad -------------------------------------------------------------------------------------

def test_adagrad_first_step_is_sign_descent_and_accumulates():
    X, y, w0 = _system(7)
    g = X.T @ (X @ w0 - y)
    w1 = _one_step(G.adagrad, X, y, w0, 0.3)
    assert np.allclose(w1, w0 - 0.3 * np.sign(g), atol=1e-15)
    run = G.adagrad(X, y, w0, [0.05, 0.5])
    assert np.all(run.relative_residual <= 1e-12)
    assert np.all(run.info["accumulator"] >= g * g * (1 - 1e-12))
    assert np.linalg.norm(run.W[0] - run.W[1]) > 1e-4  # its limit moves with eta


# ---- potentials, natural gradient, momentum --------------------------------------------------------

def test_separable_potentials_match_the_mirror_descent_ones():
    w = np.array([0.3, 1.2, 2.5])
    for sp, pot in ((G.entropy_potential(), negative_entropy()), (G.hyperbolic_potential(0.7), hyperbolic_entropy(0.7))):
        assert np.allclose(sp.grad(w), pot.grad(w)) and np.allclose(sp.grad_inv(sp.grad(w)), w)
        assert np.allclose(sp.inv_hess(w), pot.conj_hess_mv(pot.grad(w), np.ones(3)))
    assert G.separable_potential(0).domain == "positive" and G.separable_potential(2, 2.0).name.startswith("hyperbolic")
    with pytest.raises(ValueError):
        G.separable_potential(1)
    with pytest.raises(ValueError):
        G.hyperbolic_potential(0.0)
    assert list(G.entropy_potential().inside(np.array([[1.0, 2.0], [1.0, -1.0], [np.nan, 1.0]]))) == [True, False, False]


def test_natural_gradient_one_step_and_generic_potential_agree():
    X, y, w0 = _system(8, positive=True)
    g = X.T @ (X @ w0 - y)
    assert np.allclose(_one_step(G.natural_gradient, X, y, w0, 0.01, G.entropy_potential()), w0 - 0.01 * w0 * g)
    etas = [0.05, 0.2]
    for sep, pot in ((G.entropy_potential(), negative_entropy()), (G.hyperbolic_potential(1.3), hyperbolic_entropy(1.3))):
        a = G.natural_gradient(X, y, w0, etas, sep)
        b = G.natural_gradient(X, y, w0, etas, pot)
        assert np.allclose(a.W, b.W, rtol=1e-12, atol=1e-13) and np.array_equal(a.iterations, b.iterations)


def test_natural_gradient_leaving_the_domain_is_flagged():
    X, y, w0 = _system(9, positive=True)
    for pot in (G.entropy_potential(), negative_entropy()):
        run = G.natural_gradient(X, y, w0, [1e3, 0.05], pot)
        assert run.left_domain[0] and np.isnan(run.relative_residual[0]) and np.all(np.isnan(run.W[0]))
        assert not run.left_domain[1] and run.relative_residual[1] <= 1e-12


def test_natural_gradient_limit_moves_with_eta_and_tends_to_the_bregman_projection():
    X, y, w0 = _system(10, positive=True)
    w_b, _ = bregman_projection(X, y, w0, negative_entropy())
    run = G.natural_gradient(X, y, w0, [0.4, 0.2, 0.1, 0.05], G.entropy_potential())
    miss = np.linalg.norm(run.W - w_b, axis=1)
    assert np.all(np.diff(miss) < 0)  # O(eta): halving eta shrinks the miss
    assert np.all(miss[1:] / miss[:-1] > 0.3) and np.all(miss[1:] / miss[:-1] < 0.7)


@pytest.mark.parametrize("k", [0, 2])
def test_plain_mirror_descent_matches_the_family_model_and_stays_in_row_space(k):
    X, y, w0 = _system(11, positive=True)
    sep, pot = (G.entropy_potential(), negative_entropy()) if k == 0 else (G.hyperbolic_potential(1.0), hyperbolic_entropy(1.0))
    w_b, _ = bregman_projection(X, y, w0, pot)
    eta = 0.3
    run = G.mirror_descent_momentum(X, y, w0, [eta, 0.1], sep)
    ref = mirror_descent(X, y, w0, pot, eta, rtol=1e-13)
    assert np.allclose(run.W[0], ref.w, rtol=1e-12, atol=1e-13)
    for w in run.W:
        assert np.linalg.norm(w - w_b) <= 1e-11 * np.linalg.norm(w_b)
    _, N, _ = row_space_basis(X)
    drift = N.T @ (run.info["theta"] - run.info["theta0"]).T
    assert np.max(np.abs(drift)) <= 1e-13 * max(1.0, np.max(np.abs(run.info["theta"])))


def test_primal_momentum_one_step_and_eta_dependence():
    X, y, w0 = _system(12, positive=True)
    sep = G.hyperbolic_potential(1.0)
    beta, gamma, eta = 0.5, 0.5, 0.05
    # two steps by hand: the first has D_0 = 0 (plain mirror step), the second uses D_1 = w1 - w0
    th1 = sep.grad(w0) - eta * X.T @ (X @ w0 - y)
    w1 = sep.grad_inv(th1)
    D = w1 - w0
    th2 = sep.grad(w1 + beta * D) - eta * X.T @ (X @ (w1 + gamma * D) - y)
    got = G.mirror_descent_momentum(X, y, w0, [eta], sep, beta, gamma, max_iter=2, check_every=10**9).W[0]
    assert np.allclose(got, sep.grad_inv(th2), rtol=1e-13)
    run = G.mirror_descent_momentum(X, y, w0, [0.05, 0.2], sep, beta=0.5, gamma=0.0)
    assert np.all(run.relative_residual <= 1e-12)
    assert np.linalg.norm(run.W[0] - run.W[1]) > 1e-4 * np.linalg.norm(run.W[0])
    assert "momentum" in run.info["method"]


def test_primal_momentum_leaving_the_entropy_domain_is_flagged():
    X, y, w0 = _system(13, positive=True)
    run = G.mirror_descent_momentum(X, y, w0, [5.0, 0.02], G.entropy_potential(), beta=0.95)
    assert run.left_domain[0] and not run.left_domain[1]


# ---- the flow ------------------------------------------------------------------------------------

@pytest.mark.parametrize("pot", [negative_entropy(), hyperbolic_entropy(0.8)])
def test_natural_gradient_flow_lands_on_the_bregman_projection(pot):
    X, y, w0 = _system(14, positive=True)
    w_b, _ = bregman_projection(X, y, w0, pot)
    flow = G.natural_gradient_flow(X, y, w0, pot, t_end=500.0, stop_rtol=1e-11)
    assert flow.success and flow.relative_residual <= 1.1e-11
    assert np.linalg.norm(flow.w_final - w_b) <= 1e-9 * np.linalg.norm(w_b)
    assert flow.t[0] == 0.0 and flow.w.shape == (len(flow.t), X.shape[1]) and flow.nfev > 0
    short = G.natural_gradient_flow(X, y, w0, pot, t_end=1e-3, n_eval=5)
    assert short.success and short.relative_residual > 1e-3 and len(short.t) == 6
