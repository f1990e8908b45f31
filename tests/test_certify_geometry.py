"""solvers.certify.geometry: the right answers are accepted, wrong ones (a 1e-6 relative error, a
forgotten start, another method's limit, another potential) are rejected."""
from __future__ import annotations

import numpy as np
import pytest

from models.geometry import adagrad, gradient_descent, hyperbolic_potential, mirror_descent_momentum
from models.mirror_descent import half_squared_pnorm, hyperbolic_entropy, negative_entropy
from solvers.bregman import bregman_projection
from solvers.certify.geometry import bregman_limits, euclidean_limits, potential_gradient
from solvers.min_norm import min_norm_interpolant
from theorems.resolution import moved
from theorems.strategies.matrices import conditioned_matrix


def _raw(seed=0, m=3, d=7, kappa=5.0, positive=False, **knobs):
    rng = np.random.default_rng(seed)
    X = conditioned_matrix(rng, m, d, kappa, 1.0)
    if positive:
        y, w0 = X @ np.exp(0.5 * rng.standard_normal(d)), np.exp(0.5 * rng.standard_normal(d))
    else:
        y, w0 = rng.standard_normal(m), rng.standard_normal(d)
    return {"X": X, "y": y, "w0": w0, **knobs}


# ---- Euclidean -----------------------------------------------------------------------------------

def test_euclidean_accepts_min_norm_and_gd_limits():
    raw = _raw(1)
    w, _ = min_norm_interpolant(raw["X"], raw["y"], raw["w0"])
    assert euclidean_limits(raw, {"w": w}).valid
    run = gradient_descent(raw["X"], raw["y"], raw["w0"], np.array([0.2, 0.9]) * 2 / np.linalg.norm(raw["X"], 2) ** 2)
    cert = euclidean_limits(raw, {"limits": run.W})
    assert cert.valid, cert.residuals


def test_euclidean_rejects_wrong_answers():
    raw = _raw(2)
    X, y, w0 = raw["X"], raw["y"], raw["w0"]
    w, _ = min_norm_interpolant(X, y, w0)
    assert not euclidean_limits(raw, {"w": moved(w, 1e-6)}).valid
    from_origin, _ = min_norm_interpolant(X, y, np.zeros_like(w0))  # forgot w0
    assert not euclidean_limits(raw, {"w": from_origin}).valid
    ada = adagrad(X, y, w0, [0.3]).W  # another method's limit: an interpolant, not in w0 + row(X)
    cert = euclidean_limits(raw, {"limits": np.vstack([w, ada[0]])})
    assert not cert.valid and cert.residuals["primal_residual"] <= cert.tolerance
    bad_y = dict(raw, y=raw["y"] * (1 + 1e-6))
    assert not euclidean_limits(bad_y, {"w": w}).valid
    with pytest.raises(ValueError):
        euclidean_limits(raw, {"limits": np.zeros((0, X.shape[1]))})


# ---- Bregman -------------------------------------------------------------------------------------

CASES = [
    (0, negative_entropy(), dict(b=1.0, p=1.5), True),
    (1, half_squared_pnorm(1.5), dict(b=1.0, p=1.5), False),
    (2, hyperbolic_entropy(0.7), dict(b=0.7, p=1.5), False),
]


@pytest.mark.parametrize("k,pot,knobs,positive", CASES)
def test_bregman_accepts_the_projection_and_rejects_wrong_answers(k, pot, knobs, positive):
    raw = _raw(3 + k, positive=positive, potential=k, **knobs)
    X, y, w0 = raw["X"], raw["y"], raw["w0"]
    w, _ = bregman_projection(X, y, w0, pot)
    assert bregman_limits(raw, {"w": w}).valid
    assert not bregman_limits(raw, {"w": moved(w, 1e-6)}).valid
    euclid, _ = min_norm_interpolant(X, y, w0)
    if positive and np.any(euclid <= 0):
        with pytest.raises(ValueError):
            bregman_limits(raw, {"w": euclid})
    else:
        assert not bregman_limits(raw, {"w": euclid}).valid
    other = half_squared_pnorm(1.25) if k != 1 else hyperbolic_entropy(1.0)
    w_other, _ = bregman_projection(X, y, w0, other)
    if not (positive and np.any(w_other <= 0)):
        assert not bregman_limits(raw, {"w": w_other}).valid
    start = np.full_like(w0, 0.5)  # forgot w0 (a start the solver handles for every potential)
    w_start, _ = bregman_projection(X, y, start, pot)
    assert not bregman_limits(raw, {"w": w_start}).valid


def test_bregman_accepts_mirror_descent_limits_at_several_steps():
    raw = _raw(7, potential=2, b=1.0, p=1.5)
    run = mirror_descent_momentum(raw["X"], raw["y"], raw["w0"], [0.1, 0.4], hyperbolic_potential(1.0))
    assert bregman_limits(raw, {"limits": run.W}).valid
    mom = mirror_descent_momentum(raw["X"], raw["y"], raw["w0"], [0.1, 0.4], hyperbolic_potential(1.0), beta=0.5)
    assert not bregman_limits(raw, {"limits": mom.W}).valid


def test_potential_gradient_formulas_and_errors():
    w = np.array([0.5, -1.5, 2.0])
    assert np.allclose(potential_gradient({"potential": 2, "b": 2.0}, w), np.arcsinh(w / 2))
    n = np.linalg.norm(w, 1.5)
    assert np.allclose(potential_gradient({"potential": 1, "p": 1.5}, w), n ** 0.5 * np.sign(w) * np.abs(w) ** 0.5)
    assert np.array_equal(potential_gradient({"potential": 1, "p": 1.5}, np.zeros(3)), np.zeros(3))
    assert np.allclose(potential_gradient({"potential": 0}, np.abs(w)), np.log(np.abs(w)))
    with pytest.raises(ValueError):
        potential_gradient({"potential": 0}, w)
    with pytest.raises(ValueError):
        potential_gradient({"potential": 7}, w)
