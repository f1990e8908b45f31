"""Unit tests of models/relu_net.py: the univariate two-layer ReLU net and its GD training."""
import numpy as np
import pytest

from models.relu_net import init_net, tangent_kernel, train_gd


def _data(M=5, seed=0):
    rng = np.random.default_rng(seed)
    x = np.linspace(-1, 1, M) + 0.05 * rng.standard_normal(M)
    return x, np.sin(2 * x) + 2 * x


@pytest.mark.parametrize("start", ["zero", "antisymmetric"])
def test_start_has_zero_output(start):
    rng = np.random.default_rng(1)
    net = init_net(rng.standard_normal(64), rng.standard_normal(64), start, rng)
    assert np.max(np.abs(net(np.linspace(-3, 3, 50)))) < 1e-14


def test_antisymmetric_needs_even_width():
    with pytest.raises(ValueError):
        init_net(np.ones(3), np.ones(3), "antisymmetric")


def test_tangent_kernel_matches_finite_differences():
    rng = np.random.default_rng(2)
    net = init_net(rng.standard_normal(16), rng.standard_normal(16), "antisymmetric", rng)
    net.a += 0.1 * rng.standard_normal(16)
    x = np.array([-0.7, 0.3])
    theta = np.concatenate([net.a, net.w, net.b, [net.u, net.c]])

    def f(th):
        n = 16
        return np.maximum(x[:, None] * th[n:2 * n] + th[2 * n:3 * n], 0) @ th[:n] + th[-2] * x + th[-1]

    J = np.empty((2, theta.size))
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = 1e-6
        J[:, k] = (f(theta + e) - f(theta - e)) / 2e-6
    assert np.allclose(J @ J.T, tangent_kernel(net, x), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("linear", ["same", "unpenalized"])
def test_gd_interpolates(linear):
    x, y = _data()
    rng = np.random.default_rng(3)
    net = init_net(rng.standard_normal(512), 0.5 * rng.standard_normal(512), "antisymmetric", rng)
    run = train_gd(net, x, y, linear=linear, tol=1e-8)
    assert run.max_residual <= 1e-8
    assert np.max(np.abs(run.net(x) - y)) <= 1e-8
    assert run.losses[0] > run.losses[-1]


def test_unpenalized_linear_part_is_least_squares_optimal():
    x, y = _data()
    rng = np.random.default_rng(4)
    net = init_net(rng.standard_normal(256), rng.standard_normal(256), "zero", rng)
    run = train_gd(net, x, y, linear="unpenalized", tol=1e-6, max_steps=3)
    h = np.maximum(x[:, None] * run.net.w + run.net.b, 0) @ run.net.a
    r = h + run.net.u * x + run.net.c - y
    assert abs(r @ x) < 1e-10 and abs(r.sum()) < 1e-10  # residual orthogonal to the affine functions


def test_width_16384_trains_in_seconds():
    import time
    x, y = _data()
    rng = np.random.default_rng(5)
    net = init_net(rng.standard_normal(16384), 0.5 * rng.standard_normal(16384), "antisymmetric", rng)
    t = time.perf_counter()
    run = train_gd(net, x, y, linear="unpenalized", tol=1e-9)
    assert run.max_residual <= 1e-9
    assert time.perf_counter() - t < 10.0


def test_random_start_has_a_nonzero_output_and_trains():
    rng = np.random.default_rng(6)
    net = init_net(rng.standard_normal(256), rng.standard_normal(256), "random", rng)
    assert np.max(np.abs(net(np.linspace(-1, 1, 11)))) > 1e-3  # f0 != 0
    x, y = _data()
    run = train_gd(net, x, y, linear="unpenalized", tol=1e-8)
    assert run.max_residual <= 1e-8


def test_unknown_start_and_linear_mode_are_rejected():
    with pytest.raises(ValueError):
        init_net(np.ones(4), np.ones(4), "gaussian")
    net = init_net(np.ones(4), np.ones(4), "zero")
    x, y = _data()
    with pytest.raises(ValueError):
        train_gd(net, x, y, linear="frozen")


def test_tangent_kernel_without_the_linear_part():
    rng = np.random.default_rng(7)
    net = init_net(rng.standard_normal(8), rng.standard_normal(8), "random", rng)
    x = np.array([-0.5, 0.2, 0.9])
    assert np.allclose(tangent_kernel(net, x) - tangent_kernel(net, x, linear=False), np.outer(x, x) + 1.0)
