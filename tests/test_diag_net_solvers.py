"""Unit tests of solvers.q_alpha and solvers.r_alpha."""
import numpy as np
import pytest

from solvers.q_alpha import argmin_q_alpha, argmin_q_general, q
from solvers.r_alpha import (R_alpha, argmin_r_alpha, quartic_smallest_root, r_constrained_min, r_param, r_prime,
                             r_second)


def _system(seed=0, m=4, d=12):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, d)) / np.sqrt(d), rng.standard_normal(m)


def test_q_matches_formula_and_derivative():
    b = np.linspace(-30, 30, 61)
    assert np.allclose(q(b), 2 - np.sqrt(4 + b * b) + b * np.arcsinh(b / 2), atol=1e-12)
    h = 1e-6
    assert np.allclose((q(b + h) - q(b - h)) / (2 * h), np.arcsinh(b / 2), atol=1e-7)


@pytest.mark.parametrize("alpha", [1e-2, 1.0, 1e2])
def test_dual_newton_and_primal_route_agree(alpha):
    X, y = _system()
    beta, certs, info = argmin_q_alpha(X, y, alpha)
    assert all(c.valid for c in certs), certs
    nu = info["nu"]
    assert np.allclose(beta, 2 * alpha**2 * np.sinh(X.T @ nu), rtol=1e-10, atol=1e-14)


def test_general_start_formula():
    X, y = _system(1)
    rng = np.random.default_rng(2)
    wp, wm = rng.uniform(0.2, 2, 12) * rng.choice([-1, 1], 12), rng.uniform(0.2, 2, 12)
    beta, certs, info = argmin_q_general(X, y, wp, wm)
    gamma, c = np.abs(wp * wm), np.log(np.abs(wp / wm))
    assert all(cc.valid for cc in certs)
    assert np.allclose(beta, 2 * gamma * np.sinh(X.T @ info["nu"] + c), rtol=1e-10)


@pytest.mark.parametrize("b", [0.0, 1e-9, -1e-3, 0.5, -3.0, 40.0, 1e5])
def test_r_three_routes(b):
    rp, rq, rc = float(r_param(b)), quartic_smallest_root(b), r_constrained_min(b)[0]
    scale = max(abs(rc), 1e-300)
    assert abs(rp - rc) <= 1e-12 * (1 + np.sqrt(abs(b))) * max(scale, 1e-30) + (1e-300 if b == 0 else 0)
    assert abs(rp - rq) <= 1e-10 * max(scale, 1e-30) * (1 + np.sqrt(abs(b)))


def test_r_derivatives():
    b = np.array([-5.0, -0.1, 0.3, 7.0])
    h = 1e-6
    assert np.allclose((r_param(b + h) - r_param(b - h)) / (2 * h), r_prime(b), atol=1e-7)
    assert np.allclose((r_prime(b + h) - r_prime(b - h)) / (2 * h), r_second(b), atol=1e-6)


def test_r_alpha_to_l1_and_argmin():
    beta = np.array([1.0, -2.0, 0.5])
    assert abs(R_alpha(beta, 1e-4) - 3.5) < 1e-3
    X, y = _system()
    b, cert = argmin_r_alpha(X, y, 0.5)
    assert cert.valid and np.allclose(X @ b, y)


def test_r_excess_is_r_minus_abs_b_without_cancellation():
    from solvers.r_alpha import r_excess

    b = np.array([0.0, 1e-9, -1e-3, 0.5, -3.0, 40.0, 1e5])
    assert np.allclose(r_excess(b), r_param(b) - np.abs(b), rtol=1e-9, atol=1e-15)
    big = np.array([1e12, 1e16, 1e20])
    # r(b) - |b| = -2 sqrt|b| + 3/2 + o(1) as |b| -> inf
    assert np.allclose(r_excess(big), -2.0 * np.sqrt(big) + 1.5, rtol=0, atol=1e-3 * 1.5)


def test_q_alpha_primal_route_and_sensitivity():
    from solvers.q_alpha import interpolant_sensitivity, q_general_potential, separable_interpolant_primal, start_to_gamma_c

    X, y = _system(3)
    wp, wm = np.full(12, 0.5), np.full(12, 0.5)
    beta, certs, info = argmin_q_general(X, y, wp, wm, cross_check=True)
    g, c = start_to_gamma_c(wp, wm)
    bp, pg = separable_interpolant_primal(X, y, *q_general_potential(g, c))
    assert np.allclose(bp, beta, rtol=1e-9, atol=1e-12) and pg < 1e-10
    r = 1e-6 * np.random.default_rng(0).standard_normal(4)
    assert 0 < interpolant_sensitivity(X, info["curvature"], r) < 1e-4


def test_r_certificate_and_quartic_roots():
    from solvers.r_alpha import quartic_largest_root, quartic_real_roots, r_certificate

    b = np.array([0.0, 0.5, -7.0, 1e6])
    assert r_certificate(b).valid
    assert quartic_real_roots(0.0)[0] == 0.0  # r (r - 2)^3 at b = 0: a root at 0 (dv = 0 at the triple root)
    assert quartic_largest_root(2.0) > quartic_smallest_root(2.0)
