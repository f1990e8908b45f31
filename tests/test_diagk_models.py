"""Models of catalogue entry 10: width-k diagonal net (three runners agree), the exp/logistic time-changed
flow (loss levels far below float range, invariants), the lazy net (antisymmetric start, kernel)."""
from __future__ import annotations

import numpy as np
import pytest

from models.diag_net_exp import exp_loss_flow, log_inverse_loss, log_losses, weights
from models.diag_net_width import (gaussian_start, gd_step_bound, width_k_flow, width_k_flow_direct,
                                   width_k_gradient_descent)
from models.lazy_net import antisymmetric_start, forward, jacobian, lazy_net_flow, tangent_kernel_at_init
from theorems.strategies.diagk import separable_draw


def _sys(seed=0, m=3, d=6):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, d)), rng.standard_normal(m), rng


def test_width_runners_agree():
    X, y, rng = _sys()
    U0, V0 = gaussian_start(rng, 6, 3, 0.4)
    direct = width_k_flow_direct(X, y, U0, V0)
    prop = width_k_flow(X, y, U0, V0)
    mom = width_k_flow(X, y, U0, V0, moments=True)
    assert direct.converged and prop.converged and mom.converged
    assert np.linalg.norm(direct.beta - prop.beta) < 1e-9 * np.linalg.norm(prop.beta)
    assert np.linalg.norm(mom.beta - prop.beta) < 1e-9 * np.linalg.norm(prop.beta)
    assert len(prop.history_beta) == len(prop.history_t) > 2


def test_width_gd_lands_near_flow_and_stops_on_budget():
    X, y, rng = _sys(1)
    U0, V0 = gaussian_start(rng, 6, 2, 0.5)
    eta = 0.2 * gd_step_bound(X, U0, V0)
    gd = width_k_gradient_descent(X, y, U0, V0, eta, loss_target=1e-20)
    flow = width_k_flow(X, y, U0, V0)
    assert gd.converged
    assert np.linalg.norm(gd.beta - flow.beta) < 0.1 * np.linalg.norm(flow.beta)  # O(eta) miss
    short = width_k_gradient_descent(X, y, U0, V0, eta, max_steps=3)
    assert not short.converged and short.steps == 3


def test_width_flow_budget_exhausted_is_not_converged():
    X, y, rng = _sys(2)
    U0, V0 = gaussian_start(rng, 6, 2, 0.5)
    assert not width_k_flow(X, y, U0, V0, t_max=1e-3).converged
    assert not width_k_flow_direct(X, y, U0, V0, t_max=1e-3).converged


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_exp_flow_reaches_far_loss_levels_and_keeps_invariant(loss):
    X, y = separable_draw(np.random.default_rng(3), 4, 7)
    s = np.array([1.0, 100.0, 1700 * np.log(10.0)])
    run = exp_loss_flow(X, y, np.full(7, 0.5), np.full(7, 0.5), s, loss=loss)
    assert run.info["success"] and run.info["clock_drift"] < 1e-8
    assert np.all(np.isfinite(run.beta))
    assert np.max(np.abs(run.w_plus * run.w_minus - 0.25)) < 1e-8  # w+ w- = alpha^2 along the flow
    assert run.seconds < 5.0


def test_exp_flow_depth_and_errors():
    X, y = separable_draw(np.random.default_rng(4), 3, 6)
    run = exp_loss_flow(X, y, np.full(6, 0.5), np.full(6, 0.5), [10.0, 1000.0], depth=3)
    assert run.info["success"] and run.depth == 3
    with pytest.raises(ValueError):
        exp_loss_flow(X, y, np.full(6, 0.5), np.full(6, 0.5), [10.0], depth=1)
    with pytest.raises(ValueError):
        exp_loss_flow(X, y, np.full(6, 0.5), np.full(6, 0.5), [-50.0])
    with pytest.raises(ValueError):
        log_losses(np.zeros(2), "hinge")


def test_log_losses_and_weights_are_stable():
    m = np.array([-50.0, 0.0, 10.0, 40.0, 1e4])
    ll = log_losses(m, "logistic")
    assert np.allclose(ll[:3], np.log(np.log1p(np.exp(-m[:3]))))
    assert abs(ll[3] - (-40.0)) < 1e-15 and ll[4] == -1e4
    for loss in ("exp", "logistic"):
        w = weights(m, loss)
        assert np.all(np.isfinite(w)) and np.all(w >= 0)
    Z = np.eye(2)
    assert abs(log_inverse_loss(Z, np.array([3.0, 3.0])) - (3.0 - np.log(2.0))) < 1e-14


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_lazy_net_antisymmetric_start_and_jacobian(act):
    rng = np.random.default_rng(5)
    a, W = antisymmetric_start(rng, 4, 3)
    X = rng.standard_normal((5, 3))
    # h(theta0) = 0 up to the rounding of a sum of M cancelling terms of size |a_j sigma(w_j x)|
    terms = np.abs(np.tanh(X @ W.T) if act == "tanh" else np.maximum(X @ W.T, 0.0)) @ np.abs(a) / np.sqrt(a.size)
    assert np.all(np.abs(forward(X, a, W, act)) <= a.size * np.finfo(float).eps * terms)
    th = np.concatenate([a, W.ravel()])
    J = jacobian(X, a, W, act)
    h = 1e-6
    e = np.zeros_like(th)
    e[9] = h
    fd = (forward(X, (th + e)[:8], (th + e)[8:].reshape(8, 3), act) - forward(X, (th - e)[:8], (th - e)[8:].reshape(8, 3), act)) / (2 * h)
    assert np.allclose(J[:, 9], fd, atol=1e-7)
    assert np.allclose(tangent_kernel_at_init(X, X, a, W, act), J @ J.T)
    with pytest.raises(ValueError):
        forward(X, a, W, "gelu")


def test_lazy_flow_interpolates_and_moves_less_at_larger_alpha():
    rng = np.random.default_rng(6)
    a, W = antisymmetric_start(rng, 6, 2)
    X, y = rng.standard_normal((4, 2)), rng.standard_normal(4)
    r1, r2 = lazy_net_flow(X, y, a, W, 4.0), lazy_net_flow(X, y, a, W, 16.0)
    assert r1.converged and r2.converged
    assert np.linalg.norm(r2.predict(X) - y) < 1e-8
    assert r2.info["param_move"] < r1.info["param_move"]
    assert not lazy_net_flow(X, y, a, W, 4.0, t_max=1e-6).converged
