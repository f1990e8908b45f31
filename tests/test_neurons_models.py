"""Models of the neurons family: wide nets (x_+^k/k!, d >= 1, recorded trajectories), homogeneous
two-layer nets (GD drift identity, flows), weight-decay nets, single neurons."""
from __future__ import annotations

import numpy as np
import pytest

from models import single_neuron as sn
from models import weight_decay_net as wd
from models import wide_net as wn


def test_phi_and_derivative():
    z = np.array([-1.0, 0.0, 0.5, 2.0])
    assert np.allclose(wn.phi(z, 1), [0, 0, 0.5, 2.0])
    assert np.allclose(wn.phi(z, 2), [0, 0, 0.125, 2.0])
    assert np.allclose(wn.dphi(z, 1), [0, 0, 1, 1])
    assert np.allclose(wn.dphi(z, 2), [0, 0, 0.5, 2.0])
    h = 1e-6
    assert np.allclose((wn.phi(z + h, 3) - wn.phi(z - h, 3)) / (2 * h), wn.dphi(z, 3), atol=1e-8)


def test_free_basis_and_inputs():
    x = np.array([0.0, 1.0, 2.0])
    assert np.allclose(wn.free_basis(x, 2), np.vander(x, 3, increasing=True))
    X = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert np.allclose(wn.free_basis(X, 1), [[1, 0, 1], [1, 2, 3]])
    with pytest.raises(ValueError):
        wn.free_basis(X, 2)
    assert wn.as_inputs(x).shape == (3, 1)


def test_init_starts_and_errors():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((6, 1)), rng.standard_normal(6)
    net = wn.init_wide(W, b, "antisymmetric", 1, rng)
    assert np.allclose(net(np.linspace(-2, 2, 7)), 0.0)
    assert net.width == 6 and np.allclose(net.a[0::2], -net.a[1::2])
    z = wn.init_wide(W, b, "zero")
    assert np.all(z.a == 0)
    c = z.copy()
    c.a[0] = 1.0
    assert z.a[0] == 0.0
    with pytest.raises(ValueError):
        wn.init_wide(W, b, "nonsense")
    with pytest.raises(ValueError):
        wn.init_wide(W[:5], b[:5], "antisymmetric")


def test_gradients_match_finite_differences():
    """One GD step of train_recorded equals -eta times the finite-difference gradient of the loss."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 2))
    y = rng.standard_normal(4)
    net = wn.WideNet(rng.standard_normal(5) * 0.3, rng.standard_normal((5, 2)), rng.standard_normal(5), k=2)
    eta = 1e-3
    tr = wn.train_recorded(net, X, y, eta, [0, 1], free="none")

    def loss(a, W, b):
        r = wn.WideNet(a, W, b, 2)(X) - y
        return 0.5 * float(r @ r)

    h = 1e-6
    ga = np.array([(loss(net.a + h * e, net.W, net.b) - loss(net.a - h * e, net.W, net.b)) / (2 * h) for e in np.eye(5)])
    assert np.allclose(tr.net.a, net.a - eta * ga, atol=1e-9)
    assert tr.steps == [0, 1] and len(tr.data_values) == 2


def test_training_modes_converge_and_record():
    rng = np.random.default_rng(2)
    x = np.linspace(-1, 1, 5)
    y = np.sin(2 * x)
    W, b = rng.standard_normal((512, 1)), rng.standard_normal(512)
    for start in ("zero", "antisymmetric"):
        net = wn.init_wide(W, b, start, 1, rng)
        for train in ("all", "output"):
            eta = 0.9 * wn.stable_step(net, x, "ls", train)
            tr = wn.train_recorded(net, x, y, eta, [5, 50_000], np.linspace(-1, 1, 11), train=train, tol=1e-8)
            assert tr.max_residual[-1] <= 1e-8 and tr.steps[0] == 5 and tr.values[0].shape == (11,)
            assert tr.iterations < 50_000
    net2 = wn.init_wide(W, b, "antisymmetric", 2, rng)
    tr = wn.train_recorded(net2, x, y, 0.5 * wn.stable_step(net2, x), [200], free="ls")
    assert tr.net.beta.shape == (3,)
    with pytest.raises(ValueError):
        wn.train_recorded(net, x, y, 0.1, [1], free="bad")
    with pytest.raises(ValueError):
        wn.train_recorded(net, x, y, 0.1, [1], train="bad")


def test_output_kernel_is_n_times_feature_kernel():
    rng = np.random.default_rng(3)
    n = 200_000
    W, b = rng.standard_normal((n, 1)), rng.standard_normal(n)
    net = wn.WideNet(np.zeros(n), W, b)
    x = np.array([-0.5, 0.7])
    K = wn.output_kernel(net, x) / n
    # E[relu(Wx+B) relu(Wz+B)], W, B ~ N(0, 1): arc-cosine kernel of (x, 1), (z, 1)
    u = np.stack([x, np.ones(2)], axis=1)
    nu = np.linalg.norm(u, axis=1)
    cos = np.clip(u @ u.T / np.outer(nu, nu), -1, 1)
    th = np.arccos(cos)
    K_true = np.outer(nu, nu) * (np.sin(th) + (np.pi - th) * cos) / (2 * np.pi)
    assert np.allclose(K, K_true, rtol=0.02)
    assert np.allclose(wn.tangent_kernel(net, x, "output"), wn.output_kernel(net, x))


def test_two_layer_gd_drift_identity_and_flows():
    rng = np.random.default_rng(4)
    X = np.hstack([rng.standard_normal((4, 2)), np.ones((4, 1))])
    y = rng.standard_normal(4)
    a0, W0 = rng.standard_normal(3), rng.standard_normal((3, 3))
    for slope in (0.0, 0.2):
        a, W, inv, pred = wn.two_layer_gd(a0, W0, X, y, 1e-2, 200, slope=slope, record_every=50)
        d = (np.sum(W**2, 1) - a**2) - (np.sum(W0**2, 1) - a0**2)
        assert np.allclose(d, pred, atol=1e-13) and inv.shape == (5, 3)
    s, ds = wn.homogeneous_act(np.array([-1.0, 1.0]), -1.0)  # tanh branch
    assert np.allclose(s, np.tanh([-1, 1])) and np.allclose(ds, 1 - np.tanh([-1, 1]) ** 2)
    ts, A, Ws = wn.two_layer_flow(a0, W0, X, y, 0.5, slope=0.2, method="DOP853", n_eval=5)
    ts2, A2, Ws2 = wn.two_layer_flow(a0, W0, X, y, 0.5, slope=0.2, method="rk4", steps=400)
    assert A.shape == (5, 3) and Ws2.shape == (401, 3, 3)
    assert np.allclose(A[-1], A2[-1], atol=1e-3) and np.allclose(Ws[-1], Ws2[-1], atol=1e-3)
    inv_t = np.sum(Ws**2, axis=2) - A**2
    assert np.max(np.abs(inv_t - inv_t[0])) < 1e-8
    with pytest.raises(ValueError):
        wn.two_layer_flow(a0, W0, X, y, 0.5, method="euler")


def test_weight_decay_net_training():
    x = np.linspace(-1, 1, 5)
    y = 2 * x + 0.2 * np.cos(3 * x)
    net = wd.init_small(64, x, 0.1, np.random.default_rng(5))
    assert np.all(net.a == 0) and net.cost >= net.balanced_cost
    r = wd.train_weight_decay(net, x, y, 1e-3, 0.05, 3000, record_every=500)
    assert r.max_residual < 0.2 and len(r.objective) == 7 and r.objective[-1] < r.objective[0]
    assert r.net.cost >= r.net.balanced_cost - 1e-12
    r2 = wd.train_weight_decay(net, x, y, 1e-3, 0.05, 3000, free_linear=True, gtol=1e30)
    assert r2.iterations == 0
    r3 = wd.train_weight_decay(net, x, y, 1e-3, 0.05, 200, free_linear=True)
    assert r3.net.u != 0.0


@pytest.mark.parametrize("name", ["leaky-relu", "tanh", "sigmoid", "relu"])
def test_single_neuron_activations_and_gd(name):
    rng = np.random.default_rng(6)
    X = rng.standard_normal((2, 4)) / 2
    w_star = rng.standard_normal(4) * 0.5
    s, ds = sn.activation(name, 0.1)
    h = 1e-6
    z = np.array([-0.7, 0.3])
    assert np.allclose((s(z + h) - s(z - h)) / (2 * h), ds(z), atol=1e-6)
    y = s(X @ w_star)
    w0 = w_star + 0.05 * rng.standard_normal(4)
    if name == "relu":
        w0 = w_star.copy()  # the residual is zero at the start: GD stops at once
    run = sn.neuron_gd(X, y, w0, 0.5, name, tol=1e-12, max_steps=100_000)
    assert run.residual <= 1e-12 * np.linalg.norm(y) or name == "relu"
    assert run.history_t[-1] == run.iterations


def test_single_neuron_flow_and_errors():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((2, 4)) / 2
    y = np.tanh(X @ rng.standard_normal(4) * 0.5)
    run = sn.neuron_flow(X, y, np.zeros(4), 200.0, "tanh")
    assert run.residual < 1e-4 and len(run.history_w) == 21
    with pytest.raises(ValueError):
        sn.activation("softplus")
