"""Unit tests of the deeper-architecture models: conv net (DFT vs the cyclic definition), deep
linear net, homogeneous models, the margin flow vs GD, multiclass softmax GD, normalized GD."""
import math

import numpy as np
import pytest

from models import conv_net, deep_linear, homogeneous, multiclass, step_schedules
from theorems.strategies.deeper import multiclass_data, quadratic_data
from theorems.strategies.separable import separable_data

RNG = np.random.default_rng(0)


def _fd_check(fun, theta, k=3, h=1e-6):
    q, J = fun(theta)
    e = np.zeros_like(theta)
    e[k] = h
    return np.max(np.abs((fun(theta + e)[0] - fun(theta - e)[0]) / (2 * h) - J[:, k]))


@pytest.mark.parametrize("depth,D", [(2, 5), (3, 6), (4, 4)])
def test_conv_dft_end_to_end_equals_cyclic_definition(depth, D):
    theta = RNG.standard_normal(depth * D)
    np.testing.assert_allclose(conv_net.end_to_end(theta, depth, D), conv_net.end_to_end_direct(theta, depth, D), atol=1e-12)
    x = RNG.standard_normal(D)
    assert conv_net.forward_direct(theta, depth, D, x) == pytest.approx(conv_net.end_to_end(theta, depth, D) @ x, abs=1e-12)


def test_conv_margins_and_jacobian():
    X, y = RNG.standard_normal((4, 6)), np.array([1.0, -1, 1, -1])
    fun = conv_net.conv_model(X, y, 3)
    th = RNG.standard_normal(18)
    q, J = fun(th)
    np.testing.assert_allclose(q, y * (X @ conv_net.end_to_end_direct(th, 3, 6)), atol=1e-12)
    assert _fd_check(fun, th, 7) < 1e-8
    assert conv_net.is_cyclic_shape(X, th, 3) is None
    assert "depth x D" in conv_net.is_cyclic_shape(X, th[:-1], 3)
    assert "m x D" in conv_net.is_cyclic_shape(np.ones(3))


def test_deep_linear_model_pieces():
    X, y, _ = separable_data(RNG, 5, 3, 2, 0.6)
    d, h, N = 3, 2, 3
    th = RNG.standard_normal(h * d + h * h + h)
    Ws = deep_linear.unpack(th, d, h, N)
    np.testing.assert_allclose(deep_linear.pack(Ws), th)
    beta = deep_linear.end_to_end(th, d, h, N)
    np.testing.assert_allclose(beta, (Ws[2] @ Ws[1] @ Ws[0]).ravel())
    fun = deep_linear.deep_linear_model(X, y, h, N)
    np.testing.assert_allclose(fun(th)[0], y * (X @ beta), atol=1e-12)
    assert _fd_check(fun, th, 5) < 1e-8
    b0 = deep_linear.balanced_init(RNG, d, h, N, 0.7)
    assert np.max(deep_linear.imbalance(b0, d, h, N)) < 1e-12
    al = deep_linear.layer_alignment(b0, d, h, N)
    assert np.allclose(al["rank_one_share"], 1) and np.allclose(al["adjacent_alignment"], 1)
    with pytest.raises(ValueError):
        deep_linear.layer_shapes(3, 2, 1)
    with pytest.raises(ValueError):
        deep_linear.unpack(th[:-1], d, h, N)


def test_diagonal_and_squared_models_are_homogeneous():
    X, y = quadratic_data(RNG, 3, 4)
    for fun, N, P in ((homogeneous.diagonal_model(X, y, 3), 3, 9), (homogeneous.squared_activation_model(X, y, 2), 3, 8)):
        th = RNG.standard_normal(P)
        np.testing.assert_allclose(fun(2.0 * th)[0], 2.0**N * fun(th)[0], rtol=1e-12)
        assert _fd_check(fun, th, 2) < 1e-8


def test_loss_weights_and_log_inverse_loss():
    q = np.array([0.5, 2.0, 40.0, 900.0])
    w, s = homogeneous.loss_weights(q, "exp")
    assert s == pytest.approx(-math.log(np.sum(np.exp(-q))))
    w, s = homogeneous.loss_weights(q, "logistic")
    L = np.sum(np.log1p(np.exp(-q)))
    assert s == pytest.approx(-math.log(L))
    np.testing.assert_allclose(w, np.exp(-q - np.logaddexp(0, -q)) / L, rtol=1e-12)
    assert homogeneous.log_inverse_loss(np.array([[1e5, 2e5]]), "logistic")[0] == pytest.approx(1e5, rel=1e-12)
    # grouped logistic = cross-entropy
    g = np.array([0, 0, 1])
    w, s = homogeneous.loss_weights(np.array([1.0, 2.0, 0.5]), "logistic", g)
    L = math.log1p(math.exp(-1) + math.exp(-2)) + math.log1p(math.exp(-0.5))
    assert s == pytest.approx(-math.log(L))
    with pytest.raises(ValueError):
        homogeneous.loss_weights(q, "hinge")


def test_smoothed_margin_transforms():
    s = np.array([0.5, 3.0, 50.0])
    rho = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(homogeneous.smoothed_margin(s, rho, 2, "exp"), s / rho**2)
    L = np.exp(-s)
    np.testing.assert_allclose(homogeneous.smoothed_margin(s, rho, 2, "logistic"), -np.log(np.expm1(L)) / rho**2, rtol=1e-10)
    np.testing.assert_allclose(homogeneous.smoothed_margin(s, rho, 2, "logistic", "log"), s / rho**2)
    with pytest.raises(ValueError):
        homogeneous.smoothed_margin(s, rho, 2, "logistic", "other")


def test_margin_flow_follows_gd_path_and_reaches_far_loss():
    X, y, w_hat = separable_data(RNG, 4, 3, 2, 0.6)
    fun = deep_linear.deep_linear_model(X, y, 2, 2)
    th0 = 0.5 * RNG.standard_normal(8)
    run = homogeneous.margin_flow(fun, th0, 1e6, n_out=10, n_head=5)
    assert run.info["n_head"] == 5 and run.s[-1] == pytest.approx(1e6, rel=1e-6) and run.info["clock_drift"] < 1e-6
    gd = homogeneous.margin_gd(fun, th0, 1e-3, 3000, n_checkpoints=5)
    # at the same loss level, GD with a small step lies on the flow's path (flow head: 400 points in s)
    dense = homogeneous.margin_flow(fun, th0, 10.0, n_out=2, n_head=400)
    head_s, head_th = dense.clock[:400], dense.theta[:400]
    k = len(gd.s) - 1
    assert head_s[0] < gd.s[k] < head_s[-1]
    th_flow = np.array([np.interp(gd.s[k], head_s, head_th[:, j]) for j in range(head_th.shape[1])])
    assert np.linalg.norm(th_flow - gd.theta[k]) / np.linalg.norm(gd.theta[k]) < 5e-3
    with pytest.raises(ValueError):
        homogeneous.margin_flow(fun, th0, 1.0)


def test_multiclass_model_and_softmax_gd_invariant():
    X, labels = multiclass_data(RNG, 3, 4, [2, 1, 2])
    lab = labels.astype(int)
    fun, groups = multiclass.multiclass_model(X, lab, 3)
    W = RNG.standard_normal((3, 4))
    q, R = fun(W.ravel())
    n, k = multiclass.margin_index(lab, 3)
    np.testing.assert_allclose(q, np.einsum("ij,ij->i", W[lab[n]] - W[k], X[n]))
    Lce, s = multiclass.cross_entropy(W, X, lab)
    assert s == pytest.approx(-math.log(Lce))
    assert homogeneous.loss_weights(q, "logistic", groups)[1] == pytest.approx(s)
    run = multiclass.softmax_gd(X, lab, W, 0.5, 300, n_checkpoints=5)
    assert run.invariant_drift.max() < 1e-13
    assert run.s[-1] > run.s[0]


def test_normalized_gd_schedules():
    X, y, w_hat = separable_data(RNG, 5, 3, 2, 0.6)
    Z = y[:, None] * X
    fast = step_schedules.normalized_gd(Z, np.zeros(3), 1.0, 400)
    slow = step_schedules.normalized_gd(Z, np.zeros(3), 1.0, 400, power=0.5, normalize="gradient")
    mg, dg = step_schedules.margin_and_direction_gaps(Z, fast.w, w_hat)
    mgs, dgs = step_schedules.margin_and_direction_gaps(Z, slow.w, w_hat)
    assert dg[-1] < dgs[-1] and fast.s[-1] > slow.s[-1]
    assert np.all(mg >= -1e-12)
    # one step by hand: w1 = w0 + eta q0, q0 = Z^T softmax(-Z w0) = Z^T 1/m
    one = step_schedules.normalized_gd(Z, np.zeros(3), 0.7, 1, n_checkpoints=1)
    np.testing.assert_allclose(one.w[-1], 0.7 * Z.mean(axis=0), rtol=1e-12)
    with pytest.raises(ValueError):
        step_schedules.normalized_gd(Z, np.zeros(3), 1.0, 3, normalize="sign")


def test_margin_flow_budgets_raise_instead_of_hanging():
    X, y, _ = separable_data(RNG, 4, 3, 2, 0.6)
    fun = homogeneous.diagonal_model(X, y, 2)
    th0 = 0.3 * RNG.standard_normal(6)
    with pytest.raises(RuntimeError, match="right-hand side evaluations"):
        homogeneous.margin_flow(fun, th0, 1e4, max_nfev=5)
    with pytest.raises(RuntimeError, match="did not reach"):
        homogeneous.margin_flow(fun, th0, 1e4, tau_max=1e-9)
