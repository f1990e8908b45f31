"""Unit tests of models/deep_diag_net.py: invariants of the flow, its limit, the residual event."""
import numpy as np
import pytest

from models.deep_diag_net import deep_diag_net_gradient_flow, manifold_defect_beta, remaining_motion
from solvers.q_depth import argmin_q, depth_barrier


@pytest.mark.parametrize("depth,alpha", [(2, 0.5), (3, 0.3), (4, 1.0), (5, 0.5)])
def test_flow_reaches_argmin_q_and_keeps_invariants(depth, alpha):
    rng = np.random.default_rng(10 + depth)
    X, y = rng.standard_normal((2, 5)), rng.standard_normal(2)
    run = deep_diag_net_gradient_flow(X, y, depth, alpha)
    assert run.reached_event and run.relative_residual <= 1.1e-12  # event located to root-finder precision
    assert np.linalg.norm(manifold_defect_beta(X, run, depth, alpha)) < 1e-9
    assert np.linalg.norm(remaining_motion(X, y, run, depth)) < 1e-10
    beta, cert, _ = argmin_q(X, y, depth_barrier(depth, alpha))
    assert np.linalg.norm(run.beta - beta) < 1e-9 * np.linalg.norm(beta)
    # the invariant of the exact flow, checked directly
    if depth > 2:
        inv = run.w_plus ** (2 - depth) + run.w_minus ** (2 - depth) - 2 * alpha ** (2 - depth)
        assert np.max(np.abs(inv)) < 1e-8 * alpha ** (2 - depth)
    else:
        assert np.allclose(run.w_plus * run.w_minus, alpha**2, rtol=1e-9)


def test_vector_init_scale_and_history():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((2, 4)), rng.standard_normal(2)
    a = np.array([0.5, 1.0, 0.8, 0.6])
    run = deep_diag_net_gradient_flow(X, y, 3, a)
    assert run.reached_event
    assert run.history_beta.shape[1] == 4 and np.all(np.diff(run.history_t) >= 0)
    assert np.linalg.norm(manifold_defect_beta(X, run, 3, a)) < 1e-9


def test_depth_one_rejected():
    with pytest.raises(ValueError):
        deep_diag_net_gradient_flow(np.ones((1, 2)), np.ones(1), 1, 1.0)


def test_lsoda_flow_and_operator_norm():
    """The family runs the flow with LSODA: same limit, defect bound consistent with the gap."""
    from models.deep_diag_net import remaining_motion_operator_norm

    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((3, 6)), rng.standard_normal(3)
    run = deep_diag_net_gradient_flow(X, y, 4, 0.4, method="LSODA")
    beta, _, _ = argmin_q(X, y, depth_barrier(4, 0.4))
    gap = np.linalg.norm(run.beta - beta)
    pn = remaining_motion_operator_norm(X, run, 4)
    assert pn >= 1.0 - 1e-9  # an oblique projection onto a space of dimension m
    bound = 2 * np.linalg.norm(remaining_motion(X, y, run, 4)) + (1 + pn) * np.linalg.norm(manifold_defect_beta(X, run, 4, 0.4))
    assert gap <= bound + 1e-13 and gap < 1e-9 * np.linalg.norm(beta)


def test_flow_that_does_not_reach_the_event():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((2, 4)), rng.standard_normal(2)
    run = deep_diag_net_gradient_flow(X, y, 3, 0.5, t_max=1e-3)
    assert not run.reached_event and run.relative_residual > 1e-3
