"""Unit tests of solvers/nuclear_norm.py (min trace / min nuclear norm SDPs, SCS and Clarabel, the
commuting LP route) and solvers/commuting_sensing.py (joint eigenbasis, KL and one-sided depth-N limits)."""
import numpy as np
import pytest

from solvers import nuclear_norm as nn
from solvers.certificate import Certificate
from solvers.commuting_sensing import (diagonals, joint_eigenbasis, kl_limit, off_diagonality, one_sided_certificate,
                                       one_sided_depth_limit)
from theorems.strategies.matrix_sensing import embed, lp_vertex_system, symmetric_gaussian


def _gaussian(seed=0, n=6, r=1):
    rng = np.random.default_rng(seed)
    m = 3 * n * r
    A = symmetric_gaussian(rng, m, n)
    Z = rng.standard_normal((n, r))
    return A, np.einsum("kij,ij->k", A, Z @ Z.T), Z @ Z.T


@pytest.mark.parametrize("solver", [None, "SCS", "CLARABEL"])
def test_min_trace_recovers_low_rank_and_is_certified(solver):
    A, y, Xs = _gaussian()
    X, lam, cert = nn.min_trace_psd(A, y, solver=solver)
    # SCS (the default) certifies to 1e-8; Clarabel stops near 1e-8 ("optimal_inaccurate" at times)
    assert cert.valid if solver != "CLARABEL" else cert.worst < 1e-7, cert.residuals
    assert np.linalg.norm(X - Xs) < 1e-6 * np.linalg.norm(Xs)
    assert np.isclose(np.trace(X), y @ lam, rtol=1e-7)


def test_min_trace_completion_and_unreachable():
    rows, cols = np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2])
    y = np.array([1.0, 1.0, 1.0, 2.0])  # X = [[1,1,0],[1,1,0],[0,0,2]] is PSD and optimal
    X, lam, cert = nn.min_trace_psd(y=y, rows=rows, cols=cols, n=3)
    assert cert.valid and np.isclose(np.trace(X), 4.0, rtol=1e-7)
    # y_1 = -1 on a diagonal entry: no PSD X has X_11 = -1
    X, lam, cert = nn.min_trace_psd(y=np.array([-1.0]), rows=np.array([0]), cols=np.array([0]), n=2)
    assert not cert.valid


def test_min_nuclear_norm_dense_and_completion():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((5, 1)) @ rng.standard_normal((1, 4))
    A = rng.standard_normal((14, 5, 4)) / np.sqrt(14)
    X, lam, cert = nn.min_nuclear_norm(A, np.einsum("kij,ij->k", A, W))
    assert cert.valid and np.linalg.norm(X - W) < 1e-6 * np.linalg.norm(W)
    idx = rng.choice(20, size=14, replace=False)
    rows, cols = idx // 4, idx % 4
    X, lam, cert = nn.min_nuclear_norm(y=W[rows, cols], rows=rows, cols=cols, shape=(5, 4), solver="CLARABEL")
    assert cert.valid and np.allclose(X[rows, cols], W[rows, cols], atol=1e-8)
    assert np.isclose(np.sum(np.linalg.svd(X, compute_uv=False)), W[rows, cols] @ lam, rtol=1e-6)


def test_solver_choice_and_fallback():
    assert nn.solvers_to_try(10, None) == ["SCS", "CLARABEL"]
    assert nn.solvers_to_try(1000, None) == ["SCS"]
    assert nn.solvers_to_try(10, "clarabel") == ["CLARABEL"]
    bad, good = (1, 2, Certificate("bad", {"r": 1.0}, 0.1)), (3, 4, Certificate("good", {"r": 0.0}, 0.1))
    assert nn._best([bad, good]) is good
    worse = (5, 6, Certificate("worse", {"r": 2.0}, 0.1))
    assert nn._best([worse, bad]) is bad


def test_solver_error_is_an_invalid_certificate(monkeypatch):
    import cvxpy as cp

    def boom(self, *a, **k):
        raise cp.error.SolverError("forced")

    monkeypatch.setattr(cp.Problem, "solve", boom)
    A, y, _ = _gaussian(n=3)
    X, lam, cert = nn.min_trace_psd(A, y, solver="SCS")
    assert not cert.valid and np.all(np.isnan(X))
    X, lam, cert = nn.min_nuclear_norm(A, y, solver="SCS")
    assert not cert.valid and np.all(np.isnan(X))


def _commuting(seed=2, m=2, n=5):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    a, y, x_star, s = lp_vertex_system(rng, m, n, 0.4, 1.0)
    return Q, a, y, x_star, s, embed(a, Q)


def test_commuting_lp_route_equals_the_sdp_value_and_reduced_costs():
    Q, a, y, x_star, s, A = _commuting()
    X, x, cert, s_lp, nu = nn.commuting_min_trace(A, y, Q)
    assert cert.valid and np.allclose(x, x_star, atol=1e-9) and np.allclose(s_lp, s, atol=1e-9)
    Xs, lam, c2 = nn.min_trace_psd(A, y)
    assert c2.valid and np.isclose(np.trace(Xs), x.sum(), rtol=1e-7)
    # the LP dual certifies the diagonal solution as an SDP optimum: I - A*(nu) = Q diag(s) Q^T is PSD
    S = np.eye(A.shape[1]) - np.einsum("k,kij->ij", nu, A)
    assert np.linalg.eigvalsh(S)[0] > -1e-10 and np.isclose(np.trace(X), y @ nu, rtol=1e-10)


def test_joint_eigenbasis_and_off_diagonality():
    Q, a, y, _, _, A = _commuting()
    Qh = joint_eigenbasis(A)
    assert off_diagonality(A, Qh) < 1e-12
    assert off_diagonality(A, np.eye(A.shape[1])) > 1e-2
    d = diagonals(A, Qh)
    assert np.allclose(np.sort(np.abs(d), axis=1), np.sort(np.abs(a), axis=1))


def test_kl_limit_is_the_closed_form():
    Q, a, y, _, _, A = _commuting()
    x0 = np.linspace(0.1, 0.5, a.shape[1])
    x, cert = kl_limit(a, y, x0)
    assert cert.valid and np.allclose(a @ x, y)
    z = np.log(x / x0)
    assert np.linalg.norm(z - a.T @ np.linalg.lstsq(a.T, z, rcond=None)[0]) < 1e-9 * np.linalg.norm(z)


@pytest.mark.parametrize("N", [3, 4, 6])
def test_one_sided_depth_limit_kkt_and_exponent(N):
    Q, a, y, _, _, A = _commuting(seed=3)
    x0 = np.full(a.shape[1], 0.2)
    x, nu, cert = one_sided_depth_limit(a, y, x0, N)
    assert cert.valid, cert.residuals
    c = (N - 2.0) * x0 ** ((N - 2.0) / N)
    assert np.allclose(x, x0 * (1 - c * (a.T @ nu)) ** (-N / (N - 2.0)), rtol=1e-10)
    x2, _, cert2 = one_sided_depth_limit(a, y, x0, N, exponent=1.0 / (N - 2.0))
    assert cert2.valid and np.linalg.norm(x2 - x) > 1e-4
    with pytest.raises(ValueError):
        one_sided_depth_limit(a, y, x0, 2)
    # the certificate rejects a 1e-6 relative perturbation and a start-forgetting answer
    p = N / (N - 2.0)
    bad = x * (1 + 1e-6 * np.random.default_rng(0).standard_normal(x.size))
    assert not one_sided_certificate(a, y, x0, c, p, bad, 0).valid
    x_iso, _, _ = one_sided_depth_limit(a, y, np.full(a.shape[1], 0.05), N)
    assert not one_sided_certificate(a, y, x0, c, p, x_iso, 0).valid
