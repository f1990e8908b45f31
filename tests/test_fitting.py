"""The order fit used by asymptotic claims recovers a known order and its uncertainty is honest."""
import numpy as np
import pytest

from theorems.fitting import loglog_slope


def test_exact_power_law():
    x = np.logspace(-3, -1, 6)
    f = loglog_slope(x, 5.0 * x**2.5)
    assert abs(f.slope - 2.5) < 1e-12 and f.se < 1e-12 and f.dof == 4


def test_noise_is_reflected_in_the_standard_error():
    rng = np.random.default_rng(0)
    x = np.logspace(0, 3, 40)
    f = loglog_slope(x, x**-0.5 * np.exp(0.1 * rng.standard_normal(40)))
    assert f.se > 0.005 and abs(f.slope + 0.5) < 4 * f.se


def test_needs_three_points():
    with pytest.raises(ValueError):
        loglog_slope([1.0, 2.0], [1.0, 2.0])


def test_order_interval_uses_the_end_point_slope_and_flags_unresolvable_orders():
    from theorems.fitting import order_interval_test
    lx = np.log(np.logspace(-2, -6, 5))
    decays = order_interval_test(0.3, 0.8, loglog_slope(lx, 0.3 * lx, logged=True), lx, 0.3 * lx, 0.05)
    assert decays.miss == 0.0 and decays.resolvable and abs(decays.endpoint_slope - 0.3) < 1e-12
    # decays at order 0.5 over the first three points, then levels off: the end-point order misses lo
    ly = np.r_[0.5 * lx[:3], 0.5 * lx[2], 0.5 * lx[2]]
    plateau = order_interval_test(0.5, 0.6, loglog_slope(lx, ly, logged=True), lx, ly, 0.05)
    assert plateau.endpoint_slope < 0.26 and plateau.miss > 0.2
    assert not order_interval_test(0.04, 0.8, loglog_slope(lx, 0.04 * lx, logged=True), lx, 0.04 * lx, 0.05).resolvable
    # a miss beyond tolerance refutes even when lo is within tolerance of 0
    assert order_interval_test(0.04, 0.1, loglog_slope(lx, 0.5 * lx, logged=True), lx, 0.5 * lx, 0.05).resolvable
