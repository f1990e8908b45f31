"""Unit tests of solvers/q_depth.py: h_D, H_D, q_D (q_D' = h_D^-1), the dual Newton solver, the l1 vertex."""
import numpy as np
import pytest
from scipy.integrate import quad

from solvers.q_depth import (Barrier, H, argmin_q, depth_barrier, h, h_inverse, h_prime, min_l1_vertex, q_depth,
                             q_depth_prime)


@pytest.mark.parametrize("p", [None, 3.0, 2.0, 5 / 3, 1.0, 0.5])
def test_h_inverse_roundtrip_and_derivatives(p):
    u = np.array([-0.999999, -0.7, -0.1, 0.0, 0.2, 0.9, 0.99999]) if p is not None else np.linspace(-30, 30, 9)
    b = h(u, p)
    assert np.allclose(h_inverse(b, p), u, rtol=1e-12, atol=1e-13)
    # H' = h and h' by central differences
    k = 1e-6
    v = u[np.abs(u) < 0.95] if p is not None else u / 10
    assert np.allclose((H(v + k, p) - H(v - k, p)) / (2 * k), h(v, p), rtol=1e-6, atol=1e-8)
    assert np.allclose((h(v + k, p) - h(v - k, p)) / (2 * k), h_prime(v, p), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("depth", [2, 3, 4, 5])
def test_q_depth_derivative_is_h_inverse(depth):
    b = np.array([-50.0, -3.0, -0.2, 0.0, 0.5, 4.0, 1e3])
    k = 1e-5 * np.maximum(1.0, np.abs(b))
    fd = (q_depth(b + k, depth) - q_depth(b - k, depth)) / (2 * k)
    assert np.allclose(fd, q_depth_prime(b, depth), rtol=1e-6, atol=1e-9)
    # q_D(b) = int_0^b h_D^-1 by quadrature
    for bj in (-3.0, 0.5, 4.0):
        val, _ = quad(lambda s: float(q_depth_prime(s, depth)), 0.0, bj, epsabs=1e-13, epsrel=1e-12)
        assert abs(val - float(q_depth(bj, depth))) < 1e-9 * max(1.0, abs(val))
    assert np.all(q_depth(b, depth) >= -1e-15)


def test_depth_2_q_is_the_q_alpha_function():
    b = np.linspace(-5, 5, 11)
    assert np.allclose(q_depth(b, 2), 2 - np.sqrt(4 + b**2) + b * np.arcsinh(b / 2))


@pytest.mark.parametrize("depth,alpha", [(2, 0.1), (3, 1.0), (3, 0.05), (4, 0.3), (5, 0.5)])
def test_argmin_q_kkt_and_primal_route(depth, alpha):
    rng = np.random.default_rng(depth)
    X, y = rng.standard_normal((3, 7)), rng.standard_normal(3)
    beta, cert, res = argmin_q(X, y, depth_barrier(depth, alpha))
    assert cert.valid, cert.residuals
    assert np.allclose(X @ beta, y, atol=1e-11)
    bar = depth_barrier(depth, alpha)
    assert np.max(np.abs(X.T @ res.nu)) < 1.0 or depth == 2
    assert np.allclose(beta, bar.scale * h(X.T @ res.nu, bar.p))


def test_argmin_q_vector_scale_matches_column_scaling():
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((2, 5)), rng.standard_normal(2)
    s = rng.uniform(0.5, 2.0, 5)
    beta, cert, _ = argmin_q(X, y, Barrier(3.0, s))
    assert cert.valid
    assert np.allclose(X @ beta, y, atol=1e-12)


def test_min_l1_vertex_is_l1_optimal():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((3, 8)), rng.standard_normal(3)
    beta, cert, v = min_l1_vertex(X, y)
    assert cert.valid
    assert np.count_nonzero(beta) == 3
    for _ in range(200):  # random feasible directions never decrease the l1 norm
        n = np.linalg.svd(X)[2][3:].T @ rng.standard_normal(5)
        assert np.abs(beta + 1e-3 * n).sum() >= np.abs(beta).sum() - 1e-12
