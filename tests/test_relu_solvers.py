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


def test_uncertified_spline_equals_the_certified_one():
    x = np.array([-0.9, -0.2, 0.3, 0.95])
    y = np.array([1.0, -0.5, 0.2, 0.7])
    zeta = lambda t: zeta_gaussian(t, 1.0, 0.4)  # noqa: E731
    g1, c1 = curvature_spline(x, y, zeta)
    g2, c2 = curvature_spline(x, y, zeta, certify=False)
    assert c1.valid and c2.valid and "uncertified" in c2.name
    t = np.linspace(-0.9, 0.95, 17)
    assert np.array_equal(g1(t), g2(t))


def test_spline_h_quad_left_of_the_first_knot_and_natural_spline_clip():
    x = np.array([-1.0, 0.0, 0.5, 1.0])
    g, _ = curvature_spline(x, np.array([0.0, 1.0, 0.0, 1.0]), lambda t: np.ones_like(np.asarray(t, float)))
    assert g.h_quad(-2.0) == g.alpha + g.beta * -2.0
    ncs, _ = natural_cubic_spline(x, np.array([0.0, 1.0, 0.0, 1.0]))
    assert ncs(np.array([5.0])) == ncs(np.array([1.0]))


def test_kernel_interpolant_is_an_inspectable_callable():
    K = arccos_kernel_gaussian(1.0, 0.5)
    x = np.array([-1.0, -0.3, 0.4, 1.0])
    g, _ = kernel_interpolant(K, x, np.sin(x), f0=lambda t: 0.1 * np.asarray(t, float))
    assert np.allclose(g(x), np.sin(x), atol=1e-10)
    assert np.allclose(g(np.array([[0.2]])).shape, (1, 1))
    assert g.coef.shape == (4,) and np.all(g.affine == 0)


def test_sampler_and_closed_form_reject_unknown_kinds():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        sample_init("laplace", 10, rng)
    with pytest.raises(ValueError):
        zeta_closed_form("laplace", 0.0)
    with pytest.raises(ValueError):
        quadrature_zeta_for("laplace", 0.0)


def test_zeta_discrete_w_and_uniform_tail():
    from solvers.curvature_penalty import uniform_density, zeta_discrete_w, zeta_quadrature, zeta_uniform

    pB = lambda b: np.where(np.abs(b) <= 1.5, 1.0 / 3.0, 0.0)  # noqa: E731
    x = np.array([-2.0, 0.3, 1.4])
    assert np.allclose(zeta_discrete_w((-1.0, 1.0), (0.5, 0.5), pB, x), [0.0, 1 / 3, 1 / 3])
    # the tail branch |x| > a_b/a_w of the uniform closed form vs quadrature
    q, cert = zeta_quadrature(uniform_density(0.8, 1.1), np.array([3.0]),
                              w_breaks=lambda xk: (-1.1 / abs(xk), 1.1 / abs(xk)), w_range=(-0.8, 0.8))
    assert cert.valid and np.allclose(q, zeta_uniform(np.array([3.0]), 0.8, 1.1), rtol=1e-9)


def test_prescribed_penalty_density_at_w_zero_and_zeta():
    rho = lambda x: np.cosh(np.asarray(x))  # noqa: E731
    init = PrescribedPenaltyInit(rho, 1.0, (-25.0, 25.0))
    assert init.density()(0.0, 1.0) == 0.0
    assert np.allclose(init.zeta(np.array([0.0])), 1.0 / (init.Z * rho(0.0)))
