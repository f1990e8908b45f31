"""Unit tests of models.diag_net (gradient flow, GD, tangent kernel)."""
import numpy as np
import pytest
import scipy.optimize

from models.diag_net import (beta_of, diag_net_gradient_descent, diag_net_gradient_flow, flow_rhs, gd_step_bound,
                             tangent_kernel)


def _system(seed=0, m=3, d=8):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, d)) / np.sqrt(d), rng.standard_normal(m)


def test_flow_jacobian_matches_finite_differences():
    X, y = _system()
    rhs, jac = flow_rhs(X, y)
    w = np.random.default_rng(1).uniform(0.2, 1.5, 16)
    J = jac(0.0, w)
    h = 1e-6
    Jfd = np.column_stack([(rhs(0, w + h * e) - rhs(0, w - h * e)) / (2 * h) for e in np.eye(16)])
    assert np.allclose(J, Jfd, atol=1e-7)


def test_flow_interpolates_and_keeps_product():
    X, y = _system()
    wp0 = np.full(8, 0.5)
    run = diag_net_gradient_flow(X, y, wp0, wp0, residual_target=1e-11)
    assert run.converged and np.linalg.norm(X @ run.beta - y) <= 2e-11
    assert np.max(np.abs(run.w_plus * run.w_minus - 0.25)) < 1e-9


def test_gd_converges_and_breaks_invariant():
    X, y = _system()
    w0 = np.ones(8)
    run = diag_net_gradient_descent(X, y, w0, w0, 0.5 * gd_step_bound(X, w0, w0), loss_target=1e-20)
    assert run.converged
    assert np.max(np.abs(run.w_plus * run.w_minus - 1.0)) > 1e-6


def test_tangent_kernel_is_8_alpha2_gram():
    X, _ = _system()
    a = 0.7
    K = tangent_kernel(X, X, np.full(8, a), np.full(8, a))
    assert np.allclose(K, 8 * a * a * X @ X.T, rtol=1e-9, atol=1e-12)


def test_beta_of():
    assert np.allclose(beta_of(np.array([2.0]), np.array([1.0])), [3.0])


def test_reduced_flow_follows_the_full_flow():
    """The exact m-dimensional reduction (G = int r) lands where the 2d-dimensional flow lands, from
    alpha and from a general start (signs and magnitudes), and keeps w+ w- exactly."""
    from models.diag_net import diag_net_gradient_flow_reduced

    X, y = _system(2)
    rng = np.random.default_rng(3)
    starts = [(np.full(8, 0.1), np.full(8, 0.1)),
              (rng.choice([-1.0, 1.0], 8) * rng.uniform(0.2, 2, 8), rng.choice([-1.0, 1.0], 8) * rng.uniform(0.2, 2, 8))]
    for wp0, wm0 in starts:
        full = diag_net_gradient_flow(X, y, wp0, wm0, residual_target=1e-12)
        red = diag_net_gradient_flow_reduced(X, y, wp0, wm0, residual_target=1e-12)
        assert red.converged and red.info["reduced"]
        assert np.linalg.norm(red.beta - full.beta) <= 1e-9 * np.linalg.norm(full.beta)
        assert np.allclose(red.w_plus * red.w_minus, wp0 * wm0, rtol=1e-12)
        assert len(red.history_w) == len(red.history_t) and red.max_weight_sq > 0


def test_reduced_flow_reports_a_run_that_stops_early():
    from models.diag_net import diag_net_gradient_flow_reduced

    X, y = _system(4)
    run = diag_net_gradient_flow_reduced(X, y, np.full(8, 0.5), np.full(8, 0.5), residual_target=1e-12, t_max=1e-3)
    assert not run.converged and run.residual > 1e-6


def test_manifold_defect_is_small_on_the_flow_and_large_off_it():
    from models.diag_net import manifold_defect_beta

    X, y = _system(5)
    w0 = np.full(8, 0.7)
    run = diag_net_gradient_flow(X, y, w0, w0, residual_target=1e-11)
    assert np.linalg.norm(manifold_defect_beta(X, run, w0, w0)) < 1e-9
    run.w_plus = run.w_plus * np.exp(1e-4 * np.random.default_rng(0).standard_normal(8))  # knocked off the manifold
    assert np.linalg.norm(manifold_defect_beta(X, run, w0, w0)) > 1e-6


def test_history_of_weights_is_recorded():
    X, y = _system()
    run = diag_net_gradient_flow(X, y, np.full(8, 0.5), np.full(8, 0.5), residual_target=1e-10)
    assert len(run.history_w) == len(run.history_t)
    wp, wm = run.history_w[-1]
    assert np.allclose(wp, run.w_plus) and np.allclose(wm, run.w_minus)


def test_gd_logs_every_k_steps_and_reports_a_stall():
    X, y = _system()
    w0 = np.ones(8)
    run = diag_net_gradient_descent(X, y, w0, w0, 0.1 * gd_step_bound(X, w0, w0), loss_target=1e-30,
                                    max_steps=50, log_every=10)
    assert not run.converged and run.steps == 50
    assert run.history_t[:3] == [0.0, 10.0, 20.0]


# ---- the residual stop (integrate_to_residual) -----------------------------------------------------

# a large-alpha instance (m = 3, d = 11, alpha = 4) on which solve_ivp's terminal residual event raised
# "f(a) and f(b) must have different signs": the step before the crossing ended 2.9e-16 above the target
# 1.5082e-12, and LSODA's dense output at that step's time (1 ulp away in w) was 1.1e-15 below it
X_LARGE_ALPHA = np.array([
    [0.2535887297906929, -0.10946084391387155, 0.30036262426726723, -0.1499581003515039, -0.24349536408374559,
     0.11282355127720646, -0.1757056598205243, 0.3680344587721917, 0.1430022772660158, -0.004268151056007964,
     -0.09610487878125168],
    [0.3302596577454124, -0.14625464980316052, 0.2707555838149497, -0.17617847356979047, 0.18237638851134716,
     -0.0021182256412529098, 0.17837802925912083, 0.12803125745636107, 0.0360142571671383, -0.13347860756247457,
     0.07744402494606221],
    [-0.1132726731004091, 0.322644516432088, -0.2789956309240612, 0.17736001994064535, 0.09490349837118289,
     -0.2063424425699555, 0.21002317802463286, -0.3907733325521004, -0.14835738216975414, -0.03616849770561117,
     -0.028295269315525867]])
Y_LARGE_ALPHA = np.array([0.948121796481432, 0.29599649387929766, -0.578046602019176])


def test_flow_stops_at_the_round_off_floor_target_of_a_large_alpha_run():
    """The failing input: the run stops (no bracketing error) with a residual <= the target, which is
    the large-alpha round-off floor 64 u max(w+^2 + w-^2) ||X|| sqrt(d) that the limit checks use."""
    X, y, a = X_LARGE_ALPHA, Y_LARGE_ALPHA, 4.0
    d = X.shape[1]
    target = 64 * np.finfo(float).eps * 2 * a * a * np.linalg.norm(X, 2) * np.sqrt(d)
    assert abs(target - 1.5082263372984925e-12) < 1e-20
    run = diag_net_gradient_flow(X, y, np.full(d, a), np.full(d, a), residual_target=target)
    assert run.converged and run.residual <= target
    assert run.info["status"] == 1 and run.info["stop"]
    assert run.history_t[-1] == run.t and np.all(np.diff(run.history_t) >= 0)


class _ScriptedDecay:
    """A stand-in integrator for x' = -x with unit steps (exact states e^-t x0), whose dense output can be
    made to disagree with the accepted states by a relative ``skew(s)`` -- the way LSODA's interpolant
    disagrees with y_old by an ulp. ``fail_at`` makes step k fail; t_bound ends the run."""

    def __init__(self, fun, t0, y0, t_bound, rtol=None, atol=None, jac=None, skew=None, fail_at=None):
        self.x0, self.t, self.t_old, self.t_bound = np.asarray(y0, float), t0, None, t_bound
        self.y, self.status, self.skew, self.fail_at = self.x0.copy(), "running", skew or (lambda s: 0.0), fail_at
        self.nfev = self.njev = self.nlu = 0

    def step(self):
        if self.fail_at is not None and self.t + 1.0 >= self.fail_at:
            self.status = "failed"
            return "scripted failure"
        self.t_old, self.t = self.t, min(self.t + 1.0, self.t_bound)
        self.y, self.nfev = self.x0 * np.exp(-self.t), self.nfev + 1
        if self.t >= self.t_bound:
            self.status = "finished"
        return None

    def dense_output(self):
        return lambda s: self.x0 * np.exp(-s) * (1.0 + self.skew(s))


def _scripted(**kw):
    return lambda *args, **kws: _ScriptedDecay(*args, **kws, **kw)


def test_residual_stop_locates_the_crossing_on_a_consistent_dense_output():
    from models.diag_net import integrate_to_residual

    out = integrate_to_residual(None, None, np.array([1.0]), lambda x: abs(x[0]), np.exp(-2.5), 1e-12, 1e-12, 10.0,
                                _scripted())
    assert out.status == 1 and out.located == "dense output root"
    assert abs(out.t[-1] - 2.5) < 1e-12 and out.t.tolist()[:-1] == [0.0, 1.0, 2.0]


def test_residual_stop_when_the_dense_output_already_meets_the_target_at_the_step_start():
    """The case that broke solve_ivp: the accepted state at t = 2 is just above the target, the
    interpolant at t = 2 (relative 1e-15 lower) just below: no sign change to bracket. The stop is the
    interpolant's state at t = 2, which meets the target, in place of the accepted one."""
    from models.diag_net import integrate_to_residual

    target = np.exp(-2.0) * (1.0 - 4e-16)
    out = integrate_to_residual(None, None, np.array([1.0]), lambda x: abs(x[0]), target, 1e-12, 1e-12, 10.0,
                                _scripted(skew=lambda s: -1e-15 if s == 2.0 else 0.0))
    assert np.exp(-2.0) > target  # the accepted state at t = 2 did not meet it
    dense = _ScriptedDecay(None, 0.0, [1.0], 10.0, skew=lambda s: -1e-15 if s == 2.0 else 0.0).dense_output()
    with pytest.raises(ValueError, match="different signs"):  # what solve_ivp's event location does here
        scipy.optimize.brentq(lambda s: abs(dense(s)[0]) - target, 2.0, 3.0)
    assert out.status == 1 and out.located == "dense output meets the target at the step start"
    assert out.t.tolist() == [0.0, 1.0, 2.0] and abs(out.y[0, -1]) <= target


def test_residual_stop_when_the_dense_output_misses_the_target_at_the_step_end():
    from models.diag_net import integrate_to_residual

    target = np.exp(-3.0) * (1.0 + 4e-16)
    out = integrate_to_residual(None, None, np.array([1.0]), lambda x: abs(x[0]), target, 1e-12, 1e-12, 10.0,
                                _scripted(skew=lambda s: 1e-15 if s == 3.0 else 0.0))
    assert out.status == 1 and out.located == "accepted step end"
    assert out.t.tolist() == [0.0, 1.0, 2.0, 3.0] and abs(out.y[0, -1]) <= target


def test_residual_stop_at_the_start_at_t_max_and_on_failure():
    from models.diag_net import integrate_to_residual

    res = lambda x: abs(x[0])  # noqa: E731
    start = integrate_to_residual(None, None, np.array([1e-3]), res, 1e-2, 1e-12, 1e-12, 10.0, _scripted())
    assert start.status == 1 and start.located == "start" and start.t.tolist() == [0.0]
    ends = integrate_to_residual(None, None, np.array([1.0]), res, 1e-9, 1e-12, 1e-12, 4.0, _scripted())
    assert ends.status == 0 and ends.t.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0] and not ends.located
    fails = integrate_to_residual(None, None, np.array([1.0]), res, 1e-9, 1e-12, 1e-12, 10.0, _scripted(fail_at=3.0))
    assert fails.status == -1 and fails.message == "scripted failure" and fails.t.tolist() == [0.0, 1.0, 2.0]
