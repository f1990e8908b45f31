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
