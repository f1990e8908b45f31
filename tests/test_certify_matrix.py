"""The independent certificates of the matrix family accept the right answer and reject wrong ones
(a 1e-6 relative perturbation, a forgotten start, the wrong eigenbasis, a dropped measurement, the
lift without its 1/2, an uncertified determinant, a bound that does not hold)."""
import numpy as np
import pytest

from solvers.certify import asymmetric_lift, commuting, completion_2x2, nuclear_norm
from solvers.commuting_sensing import kl_limit, one_sided_depth_limit
from solvers.nuclear_norm import commuting_min_trace, min_nuclear_norm, min_trace_psd
from solvers.q_alpha import argmin_q_general
from theorems.audit import shared_code
from theorems.strategies.matrix_sensing import embed, lp_vertex_system, symmetric_gaussian


def _perturbed(X, r=1e-6, seed=0):
    E = np.random.default_rng(seed).standard_normal(np.shape(X))
    return X + r * np.linalg.norm(X) * E / np.linalg.norm(E)


def test_certificates_share_no_code_with_solvers_or_models():
    for f in (nuclear_norm.min_nuclear_norm, commuting.kl_projection, commuting.one_sided_depth,
              completion_2x2.bound_along_trajectory, asymmetric_lift.lift_or_diagonal_net):
        assert not shared_code(f), shared_code(f)


# ---- min nuclear norm --------------------------------------------------------------------------

def _psd_problem(seed=0, n=5):
    rng = np.random.default_rng(seed)
    A = symmetric_gaussian(rng, 3 * n, n)
    Z = rng.standard_normal((n, 1))
    return A, np.einsum("kij,ij->k", A, Z @ Z.T)


def _valid(certs):
    return all(c.valid for c in (certs if isinstance(certs, list) else [certs]))


def test_min_trace_certificate():
    A, y = _psd_problem()
    X, lam, _ = min_trace_psd(A, y)
    raw = {"A": A, "y": y}
    assert _valid(nuclear_norm.min_nuclear_norm(raw, {"X": X, "lam": lam, "psd": True}))
    assert not _valid(nuclear_norm.min_nuclear_norm(raw, {"X": _perturbed(X), "lam": lam, "psd": True}))
    assert not _valid(nuclear_norm.min_nuclear_norm(raw, {"X": X, "lam": _perturbed(lam, 1e-5), "psd": True}))
    # dropped measurements: the answer from the first 4 measurements only does not interpolate the rest
    X2, lam2, _ = min_trace_psd(A[:4], y[:4])
    assert not _valid(nuclear_norm.min_nuclear_norm(raw, {"X": X2, "lam": np.r_[lam2, np.zeros(y.size - 4)], "psd": True}))
    # not PSD: X - 1e-3 I still interpolates nothing, and its smallest eigenvalue is negative
    assert not _valid(nuclear_norm.min_nuclear_norm(raw, {"X": X - 1e-3 * np.eye(5), "lam": lam, "psd": True}))


def test_min_nuclear_norm_certificate_general_and_completion():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((4, 1)) @ rng.standard_normal((1, 3))
    idx = rng.choice(12, size=9, replace=False)
    E = np.column_stack([idx // 3, idx % 3])
    y = W[E[:, 0], E[:, 1]]
    X, lam, _ = min_nuclear_norm(y=y, rows=E[:, 0], cols=E[:, 1], shape=(4, 3))
    X[E[:, 0], E[:, 1]] = y
    raw = {"entries": E.astype(float), "shape": np.array([4.0, 3.0]), "y": y, "A": np.zeros((0, 1, 1))}
    assert _valid(nuclear_norm.min_nuclear_norm(raw, {"X": X, "lam": lam, "psd": False}))
    assert not _valid(nuclear_norm.min_nuclear_norm(raw, {"X": _perturbed(X), "lam": lam, "psd": False}))
    assert not _valid(nuclear_norm.min_nuclear_norm(raw, {"X": X, "lam": 1.01 * lam, "psd": False}))


# ---- commuting ----------------------------------------------------------------------------------

def _commuting(seed=2, m=2, n=5):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    a, y, _, _ = lp_vertex_system(rng, m, n, 0.4, 1.0)
    x0 = rng.uniform(0.1, 0.5, n)
    return Q, a, y, x0, embed(a, Q), (Q * x0) @ Q.T


def test_kl_certificate():
    Q, a, y, x0, A, X0 = _commuting()
    x, _ = kl_limit(a, y, x0)
    X = (Q * x) @ Q.T
    raw = {"A": A, "y": y, "X0": X0}
    assert commuting.kl_projection(raw, {"X": X}).valid
    assert not commuting.kl_projection(raw, {"X": _perturbed(X)}).valid
    x_iso, _ = kl_limit(a, y, np.full(x0.size, x0.mean()))  # the start forgotten
    assert not commuting.kl_projection(raw, {"X": (Q * x_iso) @ Q.T}).valid
    assert not commuting.kl_projection(raw, {"X": np.diag(x)}).valid  # the eigenbasis forgotten
    X_lp, *_ = commuting_min_trace(A, y, Q)  # alpha -> 0 limit: zero eigenvalues
    assert not commuting.kl_projection(raw, {"X": X_lp}).valid


@pytest.mark.parametrize("N", [3, 4])
def test_one_sided_certificate(N):
    Q, a, y, x0, A, W0 = _commuting(seed=4)
    x, _, _ = one_sided_depth_limit(a, y, x0, N)
    raw = {"A": A, "y": y, "W0": W0, "depth": N}
    assert commuting.one_sided_depth(raw, {"X": (Q * x) @ Q.T}).valid
    assert not commuting.one_sided_depth(raw, {"X": _perturbed((Q * x) @ Q.T)}).valid
    x_wrong, _, _ = one_sided_depth_limit(a, y, x0, N + 1)
    assert not commuting.one_sided_depth(raw, {"X": (Q * x_wrong) @ Q.T}).valid
    x_kl, _ = kl_limit(a, y, x0)
    assert not commuting.one_sided_depth(raw, {"X": (Q * x_kl) @ Q.T}).valid


# ---- 2 x 2 completion --------------------------------------------------------------------------

def _trajectory():
    from models.matrix_factorization import balanced_factors, completion, deep_product_flow

    run = deep_product_flow(completion(np.array([0, 1, 1]), np.array([1, 0, 1]), (2, 2)), np.array([1.0, 1.0, 0.0]),
                            balanced_factors(0.1 * np.array([[1.0, 0.3], [-0.2, 0.8]]), 3), np.sqrt(2e-4), rtol=1e-12,
                            atol=1e-14, log_time=True)
    e = np.linalg.norm(run.history_X[:, [0, 1, 1], [1, 0, 1]] - np.array([1.0, 1.0, 0.0]), axis=1)
    keep = np.flatnonzero(e < 0.5)
    return run.history_X[keep], [run.history_factors[k] for k in keep]


def test_bound_certificate():
    W, F = _trajectory()
    raw = {"W0": np.eye(2), "depth": 3, "targets": np.array([1.0, 1.0, 0.0])}
    assert completion_2x2.bound_along_trajectory(raw, {"W": W, "factors": F, "factor": 1.0}).valid
    assert not completion_2x2.bound_along_trajectory(raw, {"W": _perturbed(W), "factors": F}).valid  # W is not the product
    flipped = [[f[0] * np.array([[1.0], [-1.0]])] + list(f[1:]) for f in F]  # a factor's det sign flipped
    Wf = np.array([f[2] @ f[1] @ f[0] for f in flipped])
    assert not completion_2x2.bound_along_trajectory(raw, {"W": Wf, "factors": flipped}).valid
    # a bound 1.5 times too strong is violated; other targets make e too large
    assert not completion_2x2.bound_along_trajectory(raw, {"W": W, "factors": F, "factor": 1.5}).valid
    assert not completion_2x2.bound_along_trajectory({**raw, "targets": np.array([3.0, 3.0, 0.0])},
                                                     {"W": W, "factors": F}).valid


# ---- U V^T lift / diagonal net ------------------------------------------------------------------

def test_lift_and_diagonal_net_certificates():
    rng = np.random.default_rng(5)
    d, m = 5, 2
    Xm = rng.standard_normal((m, d))
    A = np.zeros((m, d, d))
    A[:, np.arange(d), np.arange(d)] = Xm
    u0, v0 = rng.uniform(0.2, 1.0, d), rng.uniform(0.05, 0.15, d)
    y = rng.standard_normal(m)
    beta, _, _ = argmin_q_general(Xm, y, (u0 + v0) / 2, (u0 - v0) / 2)
    raw = {"A": A, "y": y, "U0": np.diag(u0), "V0": np.diag(v0)}
    assert asymmetric_lift.lift_or_diagonal_net(raw, {"kind": "diag", "X": np.diag(beta)}).valid
    assert not asymmetric_lift.lift_or_diagonal_net(raw, {"kind": "diag", "X": np.diag(_perturbed(beta))}).valid
    b2, _, _ = argmin_q_general(Xm, y, u0, u0)  # the start's split forgotten
    assert not asymmetric_lift.lift_or_diagonal_net(raw, {"kind": "diag", "X": np.diag(b2)}).valid
    # the lift: any W gives a consistent reference; the notes' lift (no 1/2) does not
    A2 = rng.standard_normal((3, 3, 2))
    Wl = rng.standard_normal((5, 2))
    M = Wl @ Wl.T
    L = np.zeros((3, 5, 5))
    L[:, :3, 3:], L[:, 3:, :3] = 0.5 * A2, 0.5 * np.swapaxes(A2, 1, 2)
    good = {"kind": "lift", "M": M, "X": M[:3, 3:], "lifted_measurements": np.einsum("kij,ij->k", L, M)}
    raw2 = {"A": A2, "y": np.zeros(3), "U0": Wl[:3], "V0": Wl[3:]}
    assert asymmetric_lift.lift_or_diagonal_net(raw2, good).valid
    assert not asymmetric_lift.lift_or_diagonal_net(raw2, {**good, "lifted_measurements": 2 * good["lifted_measurements"]}).valid
    assert not asymmetric_lift.lift_or_diagonal_net(raw2, {**good, "X": _perturbed(good["X"])}).valid
    assert not asymmetric_lift.lift_or_diagonal_net(raw2, {**good, "M": M - 10 * np.eye(5)}).valid
