"""Unit tests of solvers/curvature_penalty.py and solvers/spline.py."""
import numpy as np
import pytest

from solvers.curvature_penalty import (
    PrescribedPenaltyInit,
    breakpoint_histogram,
    quadrature_zeta_for,
    sample_init,
    zeta_closed_form,
    zeta_gaussian,
)
from solvers.spline import arccos_kernel_gaussian, curvature_spline, kernel_interpolant, natural_cubic_spline


@pytest.mark.parametrize("kind,scales", [("gaussian", {"sw": 1.3, "sb": 0.4}), ("binary-uniform", {"a_b": 1.7}),
                                         ("uniform", {"a_w": 0.8, "a_b": 1.1})])
def test_closed_forms_match_quadrature(kind, scales):
    x = np.linspace(-3, 3, 13)
    q, cert = quadrature_zeta_for(kind, x, **scales)
    assert cert.valid
    assert np.allclose(zeta_closed_form(kind, x, **scales), q, rtol=1e-9, atol=0)


def test_histogram_estimates_bin_integrals():
    rng = np.random.default_rng(0)
    w, b = sample_init("gaussian", 400_000, rng, sw=1.0, sb=0.7)
    edges = np.linspace(-1, 1, 5)
    mean, se = breakpoint_histogram(w, b, edges)
    import scipy.integrate
    pred = [scipy.integrate.quad(lambda t: zeta_gaussian(t, 1.0, 0.7), a, c)[0] for a, c in zip(edges[:-1], edges[1:])]
    assert np.all(np.abs(mean - pred) < 5 * se)


def test_prop7_reproduces_target_penalty():
    rho = lambda x: 2.0 * np.cosh(np.asarray(x) / 0.5)
    init = PrescribedPenaltyInit(rho, 1.5, (-12.5, 12.5))
    assert init.certificate().valid
    assert abs(init.Z - np.pi * 0.5 / 2.0) < 1e-9  # int 1/(2 cosh(x/l)) = pi l / 2
    x = np.linspace(-1, 1, 5)
    assert np.allclose(init.zeta(x) * rho(x), 1.5**2 / init.Z)
    w, b = init.sample(200_000, np.random.default_rng(1))
    c = -b / w
    assert abs(np.mean(c < 0) - 0.5) < 0.01


def test_constant_zeta_spline_is_natural_cubic_spline():
    x = np.array([-1.0, -0.4, 0.1, 0.5, 1.0])
    y = np.array([0.3, -0.2, 0.8, 0.1, -0.5])
    g, cert = curvature_spline(x, y, lambda t: np.ones_like(np.asarray(t, float)))
    assert cert.valid, cert
    ncs, ncert = natural_cubic_spline(x, y)
    assert ncert.valid
    grid = np.linspace(-1, 1, 101)
    assert np.max(np.abs(g(grid) - ncs(grid))) < 1e-10


def test_gaussian_spline_certificate_and_interpolation():
    x = np.array([-0.9, -0.2, 0.3, 0.95])
    y = np.array([1.0, -0.5, 0.2, 0.7])
    g, cert = curvature_spline(x, y, lambda t: zeta_gaussian(t, 1.0, 0.4))
    assert cert.valid, cert
    assert np.allclose(g(x), y, atol=1e-12)


def test_spline_rejects_repeated_knots():
    with pytest.raises(ValueError):
        curvature_spline([0.0, 0.0, 1.0], [1.0, 2.0, 3.0], lambda t: np.ones_like(t))


def test_kernel_interpolant_interpolates_and_affine_free_reproduces_lines():
    K = arccos_kernel_gaussian(1.0, 0.5)
    x = np.array([-1.0, -0.3, 0.4, 1.0])
    g, cert = kernel_interpolant(K, x, 2 * x + 1, affine_free=True)
    assert cert.valid
    assert np.allclose(g(np.linspace(-1, 1, 7)), 2 * np.linspace(-1, 1, 7) + 1, atol=1e-10)
    gK, certK = kernel_interpolant(K, x, np.sin(x))
    assert certK.valid and np.allclose(gK(x), np.sin(x), atol=1e-10)
