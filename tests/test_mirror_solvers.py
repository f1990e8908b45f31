"""Unit tests of solvers/bregman.py: the two Bregman-projection routes, the swapped projection,
the non-negative basis-pursuit LP."""
import numpy as np
import pytest

from models.mirror_descent import half_squared_pnorm, hyperbolic_entropy, negative_entropy
from solvers.bregman import (
    bregman_projection,
    cvxpy_cross_check,
    nonneg_basis_pursuit,
    swapped_bregman_projection,
)
from theorems.strategies.mirror import basis_pursuit_problem

POTS = [negative_entropy(), half_squared_pnorm(1.5), hyperbolic_entropy(0.7)]


def _instance(pot, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((3, 8))
    if pot.domain == "positive":
        return X, X @ np.exp(rng.standard_normal(8)), np.exp(rng.standard_normal(8))
    return X, rng.standard_normal(3), rng.standard_normal(8)


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.name)
def test_newton_projection_certified_and_matches_cvxpy(pot):
    X, y, w0 = _instance(pot)
    w, cert = bregman_projection(X, y, w0, pot)
    assert cert.valid, cert
    assert cvxpy_cross_check(X, y, w0, pot, w).valid


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.name)
def test_projection_minimizes_divergence_on_the_affine_set(pot):
    X, y, w0 = _instance(pot, 1)
    w, _ = bregman_projection(X, y, w0, pot)
    _, _, Vt = np.linalg.svd(X)
    N = Vt[3:].T
    rng = np.random.default_rng(2)
    for _ in range(20):
        v = w + 1e-3 * N @ rng.standard_normal(N.shape[1])
        if pot.domain == "positive" and np.any(v <= 0):
            continue
        assert pot.bregman(v, w0) >= pot.bregman(w, w0) - 1e-12


def test_swapped_projection_differs_and_is_certified():
    pot = negative_entropy()
    X, y, w0 = _instance(pot, 3)
    w, _ = bregman_projection(X, y, w0, pot)
    ws, cert = swapped_bregman_projection(X, y, w0, pot)
    assert cert.valid
    assert np.linalg.norm(ws - w) > 1e-3


def test_basis_pursuit_recovers_the_constructed_solution_and_reduced_costs():
    rng = np.random.default_rng(4)
    X, y, u, red = basis_pursuit_problem(rng, 3, 4, 0.5, 0.6)
    sol, cert, s = nonneg_basis_pursuit(X, y)
    assert cert.valid
    assert np.allclose(sol, u, atol=1e-10)
    assert np.allclose(s, red, atol=1e-10)


def test_unreachable_entropy_projection_is_uncertified_without_warnings():
    """No w > 0 solves Xw = y: the dual is unbounded, exp(theta) underflows to 0 on some coordinates.
    The projection must come back with an invalid certificate, not log(0) warnings."""
    import warnings

    X = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    y = np.array([1.0, -1.0])  # x1 + x2 = 1, x2 + x3 = -1 has no positive solution
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        w, cert = bregman_projection(X, y, np.ones(3), negative_entropy())
    assert not cert.valid and "outside_domain" in cert.residuals


def test_pnorm_projection_from_the_origin_is_certified():
    """phi^* has a zero Hessian at theta = 0 (q > 2): the dual Newton starts with a gradient step."""
    from solvers.certify.bregman import projection_kkt

    rng = np.random.default_rng(11)
    X = rng.standard_normal((2, 6))
    y = rng.standard_normal(2)
    for p in (1.25, 1.5, 1.75):
        w, cert = bregman_projection(X, y, np.zeros(6), half_squared_pnorm(p))
        assert cert.valid, cert
        assert projection_kkt(X, y, np.zeros(6), w, "half-squared-p-norm", p=p).valid


def test_newton_iteration_budget():
    from solvers.bregman import bregman_dual_newton

    X, y, w0 = _instance(hyperbolic_entropy(0.7))
    w, lam, iters = bregman_dual_newton(X, y, w0, hyperbolic_entropy(0.7), max_iter=1)
    assert iters == 1 and np.linalg.norm(X @ w - y) > 1e-8


def test_cvxpy_route_failures_are_reported(monkeypatch):
    import cvxpy as cp

    from solvers import bregman

    X, y, w0 = _instance(hyperbolic_entropy(0.7))
    pot = hyperbolic_entropy(0.7)

    def fail(*a, **k):
        raise cp.error.SolverError("forced")

    monkeypatch.setattr(bregman, "_bregman_cvxpy", fail)
    w, status = bregman.bregman_cvxpy(X, y, w0, pot)
    assert np.all(np.isnan(w)) and "solver error" in status
    good, _ = bregman_projection(X, y, w0, pot)
    cert = cvxpy_cross_check(X, y, w0, pot, good)
    assert not cert.valid and cert.residuals["route_disagreement"] == np.inf
    monkeypatch.undo()

    class Other:
        name = "other"
        params = {}

    with pytest.raises(ValueError, match="no cvxpy route"):
        bregman._bregman_cvxpy(cp, X, y, w0, Other(), 1e-10)


def test_cvxpy_hyperbolic_route_without_a_solution(monkeypatch):
    """A status without a dual value (e.g. infeasible or stalled) gives NaN, never a stale point."""
    import cvxpy as cp

    from solvers import bregman

    X, y, w0 = _instance(hyperbolic_entropy(0.7))
    monkeypatch.setattr(cp.Problem, "solve", lambda self, **kw: None)
    for pot in (hyperbolic_entropy(0.7), negative_entropy(), half_squared_pnorm(1.5)):
        w, status = bregman._bregman_cvxpy(cp, X, y, np.abs(w0) + 0.1, pot, 1e-10)
        assert np.all(np.isnan(w))


def test_basis_pursuit_infeasible_and_l1_wrapper():
    from solvers.bregman import nonneg_basis_pursuit_with_dual, nonneg_min_l1_interpolant

    X = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    u, cert, s, nu = nonneg_basis_pursuit_with_dual(X, np.array([1.0, -1.0]))  # no u >= 0
    assert not cert.valid and np.all(np.isnan(u)) and np.all(np.isnan(nu)) and nu.shape == (2,)
    rng = np.random.default_rng(4)
    Xb, yb, ub, _ = basis_pursuit_problem(rng, 2, 3, 0.5, 0.6)
    u, cert = nonneg_min_l1_interpolant(Xb, yb)
    assert cert.valid and np.allclose(u, ub, atol=1e-10)
    u2, _, s2, nu2 = nonneg_basis_pursuit_with_dual(Xb, yb)
    assert np.allclose(s2, 1.0 - Xb.T @ nu2)


def test_newton_takes_the_full_step_when_g_is_at_its_round_off():
    """A KL projection the thorough profile drew: g = phi^*(theta) - y^T lam sums terms ~5 to a value
    0.18, so its round-off (~1e-15) exceeded a slack of 10 u |g|; the full Newton step from
    |grad| = 8e-11 was rejected and the solve stalled at a KKT residual 1.5e-11 (uncertified). With
    the slack scaled to the terms it converges to round-off."""
    X = np.array([[-0.16724086675225702, 0.7808799112606921, -0.4860897244827337, 0.08608738630095025, -0.2652843250401751],
                  [0.8256014873881469, 0.6886041865147196, 0.4064979303438629, 0.6060127708495889, -0.6521232993291972]])
    y = np.array([-0.6427087001277019, 1.5431504496404833])
    w, cert = bregman_projection(X, y, np.full(5, 0.30143247596029965), negative_entropy())
    assert cert.valid and cert.residuals["primal_residual"] < 1e-15, cert
