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
