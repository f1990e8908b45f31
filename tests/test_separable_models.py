"""Unit tests of models/separable.py: batched GD / heavy ball, the log-domain flow, steepest descent."""
import math

import numpy as np

from models.separable import (
    exp_loss_flow_log_domain,
    gd_separable_batched,
    log_inverse_loss,
    steepest_descent_log_domain,
    steepest_direction,
)
from solvers.svm import signed_data
from theorems.strategies.separable import separable_data


def _data(seed=0, m=5, d=3, k=2):
    X, y, w_hat = separable_data(np.random.default_rng(seed), m, d, k, gamma=0.6)
    return signed_data(X, y), w_hat


def test_batched_gd_equals_unbatched_loop():
    Z, _ = _data()
    w0 = np.array([[0.1, -0.2, 0.3], [0.0, 0.0, 0.0]])
    eta, beta = np.array([0.3, 1.0]), np.array([0.5, 0.0])
    run = gd_separable_batched(Z, w0, eta, 50, losses=("exp", "logistic"), beta=beta, n_checkpoints=5)
    for b, loss in enumerate(("exp", "logistic")):
        w, v = w0[b].copy(), np.zeros(3)
        for _ in range(50):
            z = Z @ w
            g = np.exp(-z) if loss == "exp" else 1 / (1 + np.exp(z))
            v = beta[b] * v + eta[b] * (Z.T @ g)
            w = w + v
        np.testing.assert_allclose(run.w[-1, b], w, rtol=1e-12)


def test_batched_gd_per_instance_data_matches_shared():
    Z, _ = _data()
    w0 = np.zeros((2, 3))
    a = gd_separable_batched(Z, w0, 0.5, 40, n_checkpoints=4)
    b = gd_separable_batched(np.stack([Z, Z]), w0, 0.5, 40, n_checkpoints=4)
    np.testing.assert_allclose(a.w, b.w, rtol=1e-13)


def test_gd_loss_decreases_and_direction_turns_to_svm():
    Z, w_hat = _data(1)
    run = gd_separable_batched(Z, np.zeros((1, 3)), 1.0 / 5, 3000, n_checkpoints=30)
    assert np.all(np.diff(run.loss[:, 0]) <= 1e-15)
    u = w_hat / np.linalg.norm(w_hat)
    gaps = [np.linalg.norm(w / np.linalg.norm(w) - u) for w in run.w[:, 0]]
    assert gaps[-1] < gaps[len(gaps) // 3]


def test_log_domain_flow_reaches_astronomically_small_loss():
    Z, w_hat = _data(2)
    s_end = 10000 * math.log(10)
    run = exp_loss_flow_log_domain(Z, np.zeros(3), s_end, n_out=40)
    assert run.info["success"] and np.all(np.isfinite(run.w))
    assert run.loss[-1] / math.log(10) >= 9999.0  # L <= 1e-9999, computed from the state
    assert run.info["clock_drift"] < 1e-6
    u = w_hat / np.linalg.norm(w_hat)
    gap = np.linalg.norm(run.w[-1] / np.linalg.norm(run.w[-1]) - u)
    assert gap < 1e-2


def test_log_inverse_loss_is_exact_far_below_float_range():
    Z, _ = _data(3)
    w = 1e5 * np.ones(3)
    direct = -np.log(np.sum(np.exp(-(Z @ np.ones(3)))))  # at scale 1, in float range
    assert abs(log_inverse_loss(Z, np.ones(3)) - direct) < 1e-12
    assert np.isfinite(log_inverse_loss(Z, w))


def test_steepest_direction_maximizes_inner_product():
    q = np.array([0.3, -2.0, 1.0])
    for p, dual in ((1, 2.0), (np.inf, 3.3), (2, np.linalg.norm(q))):
        d, dn = steepest_direction(q, p)
        assert abs(np.linalg.norm(d, p) - 1) < 1e-12 and abs(d @ q - dn) < 1e-12 and abs(dn - dual) < 1e-12


def test_steepest_descent_raises_loss_level():
    Z, _ = _data(4)
    run = steepest_descent_log_domain(Z, np.zeros(3), 1, 20.0, n_checkpoints=10)
    assert run.info["reached"] >= 20.0
    assert np.all(np.diff(run.t) > 0)


def test_comoving_flow_follows_the_plain_time_changed_flow():
    """The co-moving frame is a change of variables: same path as exp_loss_flow_log_domain."""
    from models.separable import exp_loss_flow_comoving
    from solvers.svm import hard_margin_svm
    Z, _ = _data(seed=3)
    X, y = Z, np.ones(len(Z))
    w_hat, _ = hard_margin_svm(X, y)
    w0 = np.array([0.2, -0.1, 0.4])
    far = exp_loss_flow_comoving(Z, w0, 1e3, w_hat, n_out=50)
    plain = exp_loss_flow_log_domain(Z, w0, 1e3, n_out=20)
    np.testing.assert_allclose(far.w[-1], plain.w[-1], rtol=1e-7)
    assert far.info["success"] and far.info["clock_drift"] < 1e-8


def test_comoving_flow_reaches_1e10_on_degenerate_data_with_loglog_growth():
    """Two points, one active and one degenerate support vector: w_perp = log s + o(1) (the toy
    case u' = 1 + 1/v, v' = 1/u of the degenerate-data claims)."""
    from models.separable import exp_loss_flow_comoving
    Z = np.array([[1.0, 0.0], [1.0, 1.0]])  # w_hat = (1, 0), the second point on the margin with dual 0
    run = exp_loss_flow_comoving(Z, np.zeros(2), 1e10, np.array([1.0, 0.0]), snap=1e-12)
    s, r = run.t, run.info["r"]
    assert run.info["success"] and abs(s[-1] - 1e10) < 1e-5
    assert abs(run.loss[-1] - 1e10) / 1e10 < 1e-9  # the loss level recomputed from the state
    np.testing.assert_allclose(r[-1, 1] - np.log(s[-1]), 0.0, atol=1e-8)
    assert abs(r[len(s) // 2, 1] - np.log(s[len(s) // 2])) < 1e-3


# ---- weights (merged duplicate points), every loss and norm --------------------------------------

def _duplicated(Z, k=2):
    """The data with its first row repeated k times, and the same data merged into weights."""
    dup = np.vstack([Z[:1]] * (k - 1) + [Z])
    c = np.ones(len(Z))
    c[0] = k
    return dup, c


def test_weights_equal_duplicated_points_in_batched_gd():
    Z, _ = _data(5)
    dup, c = _duplicated(Z, 3)
    w0 = np.tile(np.array([0.1, -0.2, 0.05]), (2, 1))
    a = gd_separable_batched(dup, w0, 0.2, 200, losses=("exp", "logistic"), beta=(0.0, 0.5), n_checkpoints=5)
    b = gd_separable_batched(Z, w0, 0.2, 200, losses=("exp", "logistic"), beta=(0.0, 0.5), n_checkpoints=5, weights=c)
    np.testing.assert_allclose(a.w, b.w, rtol=1e-12)
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-12)
    per = gd_separable_batched(np.stack([Z, Z]), w0, 0.2, 50, n_checkpoints=3, weights=c)
    ref = gd_separable_batched(np.stack([dup, dup]), w0, 0.2, 50, n_checkpoints=3)
    np.testing.assert_allclose(per.w, ref.w, rtol=1e-12)


def test_weights_in_the_flows_and_the_loss_level():
    from models.separable import exp_loss_flow_comoving
    from solvers.svm import hard_margin_svm
    Z, _ = _data(6)
    dup, c = _duplicated(Z, 2)
    w = np.array([0.3, 0.1, -0.2])
    assert abs(log_inverse_loss(dup, w) - log_inverse_loss(Z, w, c)) < 1e-12
    a = exp_loss_flow_log_domain(dup, np.zeros(3), 200.0, n_out=10)
    b = exp_loss_flow_log_domain(Z, np.zeros(3), 200.0, n_out=10, weights=c)
    np.testing.assert_allclose(a.w[-1], b.w[-1], rtol=1e-7)
    w_hat, _ = hard_margin_svm(Z, np.ones(len(Z)))
    fa = exp_loss_flow_comoving(dup, np.zeros(3), 1e4, w_hat, n_out=30)
    fb = exp_loss_flow_comoving(Z, np.zeros(3), 1e4, w_hat, n_out=30, weights=c)
    np.testing.assert_allclose(fa.info["r"][-1], fb.info["r"][-1], rtol=1e-6, atol=1e-8)


def test_bad_weights_and_losses_are_rejected():
    import pytest
    from models.separable import loss_value
    Z, _ = _data(7)
    with pytest.raises(ValueError):
        log_inverse_loss(Z, np.zeros(3), -np.ones(len(Z)))
    with pytest.raises(ValueError):
        loss_value(np.zeros(3), "hinge")
    with pytest.raises(ValueError):
        steepest_direction(np.ones(2), 3)


def test_steepest_descent_every_norm_with_weights_equals_duplicates():
    Z, _ = _data(8)
    dup, c = _duplicated(Z, 2)
    for p in (1, 2, np.inf):
        a = steepest_descent_log_domain(dup, np.zeros(3), p, 15.0, c=0.1, n_checkpoints=8)
        b = steepest_descent_log_domain(Z, np.zeros(3), p, 15.0, c=0.1, n_checkpoints=8, weights=c)
        assert a.info["steps"] == b.info["steps"]
        np.testing.assert_allclose(a.w, b.w, rtol=1e-10)


def test_steepest_descent_matches_the_textbook_update_and_stops_at_the_step_budget():
    """w <- w - eta_t ||g||_* d_t with eta_t = c/(B^2 L) and g = grad L, computed directly."""
    Z, _ = _data(9)
    for p, dual in ((1, np.inf), (np.inf, 1), (2, 2)):
        B = np.max(np.linalg.norm(Z, dual, axis=1))
        w = np.array([0.05, -0.1, 0.2])
        for _ in range(40):
            L = np.sum(np.exp(-Z @ w))
            g = -Z.T @ np.exp(-Z @ w)
            d, dn = steepest_direction(-g, p)
            w = w + (0.3 / (B**2 * L)) * dn * d
        run = steepest_descent_log_domain(Z, np.array([0.05, -0.1, 0.2]), p, 1e9, c=0.3, max_steps=40, n_checkpoints=5)
        assert run.info["steps"] == 40 and run.info["reached"] < 1e9
        np.testing.assert_allclose(run.info["reached"], log_inverse_loss(Z, w), rtol=1e-10)


# ---- the gradient flow in its own time (the eta -> 0 limit of GD and heavy ball) -------------------

def test_gradient_flow_is_the_first_order_limit_of_gd_and_heavy_ball():
    """GD at eta after k steps and heavy ball after k steps miss the flow at eta k / (1 - beta) by O(eta)
    (measured on the later half of the run: heavy ball's start-up transient is pre-asymptotic)."""
    from models.separable import gradient_flow
    Z, _ = _data(10)
    w0 = np.array([0.2, -0.3, 0.1])
    for loss in ("exp", "logistic"):
        for beta in (0.0, 0.5):
            dev = []
            for k in (1, 2):
                eta, T = 0.02 / k, 1000 * k
                run = gd_separable_batched(Z, w0[None, :], eta, T, losses=(loss,), beta=beta, n_checkpoints=20)
                fl = gradient_flow(Z, w0, run.t * eta / (1 - beta), loss)
                assert fl.info["success"]
                late = run.t >= T / 2
                dev.append(np.max(np.linalg.norm(run.w[late, 0] - fl.w[late], axis=1)))
            assert 0.85 < np.log2(dev[0] / dev[1]) < 1.2, (loss, beta, dev)
            np.testing.assert_allclose(fl.loss[-1], run.loss[-1, 0], rtol=1e-2)


def test_gradient_flow_weights_start_and_errors():
    import pytest
    from models.separable import gradient_flow
    Z, _ = _data(11)
    dup, c = _duplicated(Z, 3)
    w0 = np.array([0.1, 0.0, -0.1])
    a = gradient_flow(dup, w0, [0.5, 2.0, 1.0], "logistic")
    b = gradient_flow(Z, w0, [2.0, 0.5, 1.0], "logistic", weights=c)
    np.testing.assert_allclose(a.t, [0.5, 1.0, 2.0])  # sorted
    np.testing.assert_allclose(a.w, b.w, rtol=1e-8)
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-8)
    z = gradient_flow(Z, w0, [0.0], "exp")
    np.testing.assert_array_equal(z.w[0], w0)
    assert z.info["success"]
    with pytest.raises(ValueError):
        gradient_flow(Z, w0, [1.0], "hinge")
    with pytest.raises(ValueError):
        gradient_flow(Z, w0, [], "exp")


def test_gradient_flow_from_a_stiff_start_and_comoving_switch_error():
    """A start against w_hat (loss ~ e^6 per point: stiff at first), LSODA and Radau (with the Jacobian) agree;
    the loss decreases monotonically; the co-moving flow refuses an end before its switch point."""
    import pytest
    from models.separable import exp_loss_flow_comoving, gradient_flow
    Z, w_hat = _data(12)
    w0 = -6.0 * w_hat / np.linalg.norm(w_hat) ** 2
    for loss in ("exp", "logistic"):
        fl = gradient_flow(Z, w0, np.geomspace(1e-6, 1e3, 30), loss)
        assert fl.info["success"] and np.all(np.diff(fl.loss) < 0)
        implicit = gradient_flow(Z, w0, np.geomspace(1e-6, 1e3, 30), loss, rtol=1e-9, atol=1e-10, method="Radau")
        np.testing.assert_allclose(implicit.w, fl.w, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError):
        exp_loss_flow_comoving(Z, np.zeros(3), 5.0, w_hat)


def test_gradient_flow_log_time_continues_the_flow_in_its_own_time():
    """The flow followed in s = log tau (tau = time_scale x its own time) from w(tau_0) lands where the
    flow in its own time (gradient_flow, an independent right-hand side) does, for both losses and with
    weights; and it reaches tau = 1e15 (the plain flow would need ~1e15 time units of LSODA there)."""
    import pytest
    from models.separable import gradient_flow, gradient_flow_log_time
    Z, _ = _data(12)
    dup, c = _duplicated(Z, 2)
    w0 = np.array([0.3, -0.2, 0.1])
    for loss in ("exp", "logistic"):
        for scale in (1.0, 2.5):
            t_own = np.array([3.0, 40.0, 300.0])
            ref = gradient_flow(Z, w0, t_own, loss, weights=c)
            mid = gradient_flow(Z, w0, [1.0], loss, weights=c)
            lt = gradient_flow_log_time(Z, mid.w[-1], scale * 1.0, scale * t_own, loss, weights=c, time_scale=scale)
            assert lt.info["success"]
            np.testing.assert_allclose(lt.w, ref.w, rtol=1e-7, atol=1e-7)
            np.testing.assert_allclose(lt.loss, ref.loss, rtol=1e-6)
    far = gradient_flow_log_time(dup, w0, 1.0, [1e5, 1e15], "logistic")
    assert far.info["success"] and np.all(np.isfinite(far.w)) and far.loss[-1] < 1e-13
    with pytest.raises(ValueError):
        gradient_flow_log_time(Z, w0, 10.0, [5.0], "exp")
    with pytest.raises(ValueError):
        gradient_flow_log_time(Z, w0, 1.0, [5.0], "hinge")
