"""Solvers of the neurons family: degree-2k+1 curvature/smoothing splines, the kernel-GD trajectory,
the d = 2 Radon reference, the min-cost closed form and LP."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from solvers.curvature_penalty import gaussian_density, zeta_gaussian
from solvers.curvature_spline_k import phi_k, spline_k, truncated_gram, zeta_gaussian_k, zeta_quadrature_k
from solvers.min_cost_interpolation import MinCostNet, data_slopes, linear_spline_cost, min_cost_closed_form, min_cost_lp
from solvers.radon_reference import (GaussianRadonZeta, UniformRadonZeta, radon_interpolant, radon_kernel,
                                     zeta_radon_gaussian, zeta_radon_uniform)
from solvers.smoothing_spline import filter_ratio, kernel_gd_trajectory, projected_spectrum, smoothing_spline
from solvers.spline import curvature_spline

X1 = np.array([-1.5, -0.6, 0.1, 0.7, 1.4, 2.0])
Y1 = np.array([0.3, -0.4, 0.5, 0.2, -0.6, 0.1])
ZETA1 = partial(zeta_gaussian_k, sw=1.0, sb=0.7, k=1)
ZETA2 = partial(zeta_gaussian_k, sw=1.0, sb=0.7, k=2)


def test_zeta_k_closed_form_matches_quadrature_and_thm2():
    x = np.linspace(-2, 2, 5)
    assert np.allclose(zeta_gaussian_k(x, 1.3, 0.6, 1), zeta_gaussian(x, 1.3, 0.6), rtol=1e-14)
    for k in (1, 2, 3):
        q, cert = zeta_quadrature_k(gaussian_density(1.3, 0.6), x, k)
        assert cert.valid and np.allclose(zeta_gaussian_k(x, 1.3, 0.6, k), q, rtol=1e-10)


def test_k1_spline_equals_the_relu_family_solver():
    g, cert = spline_k(X1, Y1, ZETA1, k=1)
    ref, _ = curvature_spline(X1, Y1, ZETA1)
    t = np.linspace(X1[0], X1[-1], 77)
    assert cert.valid and np.max(np.abs(g(t) - ref(t))) < 1e-10
    assert g.penalty > 0


def test_k2_spline_is_natural_quintic():
    g, cert = spline_k(X1, Y1, ZETA2, k=2)
    assert cert.valid and np.max(np.abs(g(X1) - Y1)) < 1e-12
    ends = g.ell(np.array([X1[0], X1[-1]]))
    h = 1e-5
    slope_left = (g.ell(np.array([X1[0] + h]))[0] - g.ell(np.array([X1[0]]))[0]) / h
    assert np.max(np.abs(ends)) < 1e-10 and abs(slope_left) < 1e-3 * np.max(np.abs(g.alpha))
    # a quadratic is in the null space: reproduced exactly
    q = 0.3 + 0.2 * X1 - 0.5 * X1**2
    gq, _ = spline_k(X1, q, ZETA2, k=2)
    assert np.max(np.abs(gq.alpha)) < 1e-9 and abs(gq.penalty) < 1e-15


def test_spline_errors_and_f0():
    with pytest.raises(ValueError):
        spline_k(np.array([0.0, 0.0, 1.0, 2.0]), np.zeros(4), ZETA1)
    with pytest.raises(ValueError):
        spline_k(X1, Y1, ZETA1, lam=-1.0)
    with pytest.raises(ValueError):
        spline_k(X1[:3], Y1[:3], ZETA2, k=2)
    f0 = lambda t: 0.1 * np.asarray(t) ** 3
    g, cert = spline_k(X1, Y1, ZETA1, f0=f0)
    assert cert.valid and np.max(np.abs(g(X1) - Y1)) < 1e-12
    assert truncated_gram(X1, X1, ZETA1, 1).shape == (6, 6)
    assert np.allclose(phi_k(np.array([-1.0, 2.0]), 2), [0.0, 2.0])


def test_smoothing_spline_limits_and_kkt():
    s_small, _ = smoothing_spline(X1, Y1, ZETA1, 1e-10)
    g, _ = spline_k(X1, Y1, ZETA1)
    t = np.linspace(X1[0], X1[-1], 31)
    assert np.max(np.abs(s_small(t) - g(t))) < 1e-6
    s_big, _ = smoothing_spline(X1, Y1, ZETA1, 1e10)
    ls = np.polyval(np.polyfit(X1, Y1, 1), t)
    assert np.max(np.abs(s_big(t) - ls)) < 1e-6
    lam = 0.3
    s, cert = smoothing_spline(X1, Y1, ZETA1, lam)
    assert cert.valid and np.allclose(s.alpha, (Y1 - s(X1)) / lam, atol=1e-10)
    with pytest.raises(ValueError):
        smoothing_spline(X1, Y1, ZETA1, 0.0)


def test_kernel_trajectory_ends_and_filter():
    mu, U = projected_spectrum(X1, ZETA1)
    assert mu.size == X1.size - 2 and np.all(mu > 0)
    eta_bar = 0.5 / mu[0]
    gts, cert = kernel_gd_trajectory(X1, Y1, ZETA1, eta_bar, [0, 1, 10, 200_000])
    assert cert.valid
    t = np.linspace(X1[0], X1[-1], 21)
    assert np.max(np.abs(gts[0](t) - np.polyval(np.polyfit(X1, Y1, 1), t))) < 1e-10
    g, _ = spline_k(X1, Y1, ZETA1)
    assert np.max(np.abs(gts[-1](t) - g(t))) < 1e-6
    for tt in (1, 10, 1000):
        rho = filter_ratio(mu, eta_bar, tt, 1.0 / (eta_bar * tt))
        assert np.all(rho > 0) and np.all(rho <= 1 + 1e-12)
    with pytest.raises(ValueError):
        kernel_gd_trajectory(X1, Y1, ZETA1, 3.0 / mu[0], [1])


def _arccos(X, Z):
    U = np.hstack([X, np.ones((len(X), 1))])
    V = np.hstack([Z, np.ones((len(Z), 1))])
    nu, nv = np.linalg.norm(U, axis=1)[:, None], np.linalg.norm(V, axis=1)[None]
    c = np.clip(U @ V.T / (nu * nv), -1, 1)
    th = np.arccos(c)
    return nu * nv * (np.sin(th) + (np.pi - th) * c) / (2 * np.pi)


X2 = np.array([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0], [-1.0, 1.0], [1.0, -1.0]])
Y2 = np.array([1.5, 1.5, 0.5, -0.5, -0.5])


def test_radon_kernel_is_the_arccos_kernel_modulo_affine():
    E = np.random.default_rng(0).uniform(-1, 1, (40, 2))
    g, cert, err = radon_interpolant(X2, Y2, GaussianRadonZeta(1.0, 1.0), E, 128)
    A = np.hstack([np.ones((5, 1)), X2])
    S = np.block([[_arccos(X2, X2), A], [A.T, np.zeros((3, 3))]])
    sol = np.linalg.solve(S, np.concatenate([Y2, np.zeros(3)]))
    ref = _arccos(E, X2) @ sol[:5] + sol[5] + E @ sol[6:]
    assert cert.valid and np.max(np.abs(g(E) - ref)) <= err + 1e-9
    # the generic (Gauss-Legendre) route agrees with the exact moments
    K1 = radon_kernel(X2, X2, GaussianRadonZeta(1.0, 1.0), 32, 1.5)
    K2 = radon_kernel(X2, X2, partial(zeta_radon_gaussian, sw=1.0, sb=1.0), 32, 1.5)
    assert np.allclose(K1, K2, rtol=1e-8)
    assert np.allclose(GaussianRadonZeta(1.0, 1.0)(np.array([0.3])), zeta_radon_gaussian(np.array([0.3]), 1.0, 1.0))


def test_radon_uniform_is_polyharmonic_and_errors():
    E = np.random.default_rng(1).uniform(-1, 1, (30, 2))
    g, cert, err = radon_interpolant(X2, Y2, UniformRadonZeta(2.0), E, 128, breaks=(-2.0, 2.0))
    D = lambda P, Q: np.linalg.norm(P[:, None] - Q[None], axis=2) ** 3
    A = np.hstack([np.ones((5, 1)), X2])
    sol = np.linalg.solve(np.block([[D(X2, X2), A], [A.T, np.zeros((3, 3))]]), np.concatenate([Y2, np.zeros(3)]))
    assert np.max(np.abs(g(E) - (D(E, X2) @ sol[:5] + sol[5] + E @ sol[6:]))) <= err + 1e-9
    Kq = radon_kernel(X2, X2, partial(zeta_radon_uniform, a_b=2.0), 16, 1.5, breaks=(-2.0, 2.0))
    Km = radon_kernel(X2, X2, UniformRadonZeta(2.0), 16, 1.5)
    assert np.allclose(Kq, Km, rtol=1e-10)
    gf, _, _ = radon_interpolant(X2, Y2, UniformRadonZeta(2.0), E, 32, f0=lambda P: 0.1 * P[:, 0])
    assert np.max(np.abs(gf(X2) - Y2)) < 1e-9
    with pytest.raises(ValueError):
        radon_interpolant(np.zeros((4, 3)), np.zeros(4), UniformRadonZeta(2.0), E)


@pytest.mark.parametrize("seed", range(6))
def test_min_cost_closed_form_equals_certified_lp(seed):
    rng = np.random.default_rng(seed)
    M = 3 + seed % 4
    x = np.sort(rng.uniform(-2, 2, M)) + np.arange(M) * 0.3
    y = (seed - 2.5) * x + rng.uniform(-0.5, 0.5, M)
    for free in (False, True):
        net, nu, cert = min_cost_lp(x, y, free_linear=free, grid=11 if seed % 2 else 0)
        assert cert.valid and abs(net.cost - min_cost_closed_form(x, y, free)["value"]) < 1e-8 * max(1, net.cost)
        assert np.allclose(net(x), y, atol=1e-8)
        assert linear_spline_cost(x, y, free) >= net.cost - 1e-9


def test_min_cost_two_points_and_linear_spline():
    x, y = np.array([0.0, 1.0]), np.array([0.0, 2.0])
    assert min_cost_closed_form(x, y)["value"] == pytest.approx(2.0)
    assert linear_spline_cost(x, y) == pytest.approx(4.0)
    assert min_cost_closed_form(x, y, True)["value"] == 0.0
    xs, ys, s = data_slopes(np.array([1.0, 0.0, 2.0]), np.array([1.0, 0.0, 0.0]))
    assert np.allclose(xs, [0, 1, 2]) and np.allclose(s, [1, -1])
    net = MinCostNet(np.array([0.0]), np.array([1.0]), np.array([0.0]), 0.5, 0.1)
    assert np.allclose(net(np.array([-1.0, 1.0])), [0.4, 1.6]) and net.cost == 1.0
