"""Models of catalogue entry 10: width-k diagonal net (three runners agree, the start's chi^2 law), the exp/logistic
time-changed flow in parameters and in dual coordinates (loss levels far below float range, invariants), the lazy net
(antisymmetric start, kernel, the scaled-displacement flow)."""
from __future__ import annotations

import numpy as np
import pytest

from models.diag_net_exp import exp_loss_flow, exp_loss_flow_dual, log_inverse_loss, log_losses, weights
from models.diag_net_width import (gaussian_start, gaussian_start_log_ab, gd_step_bound, log_chi2_quantile,
                                   width_k_flow, width_k_flow_direct, width_k_gradient_descent)
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


def test_lazy_flow_scaled_displacement_matches_the_tangent_model_at_large_alpha():
    """In the scaled displacement the run keeps full relative accuracy of the motion at any alpha: at alpha = 1e4 the
    trained predictor off the data is the tangent-kernel interpolant to O(alpha^-2) ~ 1e-8 (a theta-state run with
    rtol 1e-10 on |theta| ~ 1 could not resolve a motion of size 1e-4 to that accuracy)."""
    rng = np.random.default_rng(7)
    a, W = antisymmetric_start(rng, 5, 2)
    X, y, Xt = rng.standard_normal((4, 2)), rng.standard_normal(4), rng.standard_normal((6, 2))
    J, Jt = jacobian(X, a, W), jacobian(Xt, a, W)
    fK = Jt @ J.T @ np.linalg.solve(J @ J.T, y)
    gaps = []
    for alpha in (1e3, 1e4):
        r = lazy_net_flow(X, y, a, W, alpha)
        assert r.converged and r.info["scaled_move"] > 0.1
        gaps.append(np.linalg.norm(r.predict(Xt) - fK) / np.linalg.norm(fK))
    assert gaps[1] < 1e-6 and 50 < gaps[0] / gaps[1] < 200  # order alpha^-2: a factor 100 per decade


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_dual_flow_matches_the_parameter_flow_and_goes_far(loss):
    X, y = separable_draw(np.random.default_rng(8), 4, 7)
    s = np.array([0.5, 10.0, 300.0])
    a = exp_loss_flow(X, y, np.full(7, 0.4), np.full(7, 0.4), s, loss=loss)
    b = exp_loss_flow_dual(X, y, 0.4, s, loss=loss)
    assert b.info["success"] and b.info["clock_drift"] < 1e-8
    assert np.max(np.linalg.norm(a.beta - b.beta, axis=1) / np.linalg.norm(a.beta, axis=1)) < 1e-8
    assert np.allclose(b.w_plus * b.w_minus, 0.16, rtol=1e-12)  # on the manifold by construction
    far = exp_loss_flow_dual(X, y, 0.4, [1e3, 1e6], loss=loss)
    assert far.info["success"] and far.info["clock_drift"] < 1e-7 and np.all(np.isfinite(far.beta))
    assert far.info["Lambda"].shape == (2, 4) and np.all(far.info["Lambda"] >= 0)
    with pytest.raises(ValueError):
        exp_loss_flow_dual(X, y, 0.4, [-10.0], loss=loss)


def test_width_start_law_is_the_gaussian_starts_law():
    """(log A, log B) drawn from the chi^2 law match a real Gaussian start's in distribution (two-sample KS on 2000
    draws each, per coordinate pooled) and are monotone in their scores (the coupling across k)."""
    import scipy.stats
    rng = np.random.default_rng(9)
    k, sigma, n = 7, 0.3, 2000
    U, V = sigma * rng.standard_normal((2, n, k))
    A_real = np.sum((U + V) ** 2, axis=1) / 4.0
    B_real = np.sum((U - V) ** 2, axis=1) / 4.0
    za, zb = rng.standard_normal((2, n))
    la, lb = gaussian_start_log_ab(za, zb, k, sigma)
    assert scipy.stats.ks_2samp(np.exp(la), A_real).pvalue > 1e-3
    assert scipy.stats.ks_2samp(np.exp(lb), B_real).pvalue > 1e-3
    z = np.linspace(-9, 9, 41)  # both tails: no probability rounds to 0 or 1
    q = log_chi2_quantile(z, 10**6)
    assert np.all(np.isfinite(q)) and np.all(np.diff(q) > 0)
    # xi = log(chi^2_k / k) = sqrt(2/k) z + O(1/k): the coupled fluctuation shrinks like k^-1/2
    xi = [log_chi2_quantile(np.array([1.0]), k)[0] - np.log(k) for k in (10**4, 10**6)]
    assert abs(xi[0] / xi[1] - 10.0) < 0.1
