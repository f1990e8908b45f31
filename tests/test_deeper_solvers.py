"""Unit tests of the deeper-architecture solvers: DFT-l1 SOCP (against a constructed solution),
Fourier l_p KKT, Crammer-Singer, margin projection, homogeneous KKT residual."""
import numpy as np
import pytest

from models.deep_linear import deep_linear_model
from solvers.fourier_margin import dft_kkt_residuals, dft_l1_max_margin, fourier_lp_kkt
from solvers.homogeneous_kkt import homogeneous_kkt_residual
from solvers.multiclass_svm import crammer_singer_svm, one_vs_rest_svms
from solvers.regularization_path import l1_margin_projection, margin_projection
from solvers.svm import hard_margin_svm_dual
from theorems.strategies.deeper import dft_sparse_data, multiclass_data
from theorems.strategies.separable import separable_data


@pytest.mark.parametrize("seed,D,support", [(0, 6, [1]), (1, 8, [1, 3]), (2, 7, [2]), (3, 8, [4])])
def test_dft_l1_recovers_the_constructed_solution(seed, D, support):
    X, y, beta, lam = dft_sparse_data(np.random.default_rng(seed), D, support, 2)
    b, l, cert = dft_l1_max_margin(X, y)
    assert cert.valid, cert
    np.testing.assert_allclose(b, beta, rtol=1e-8, atol=1e-9 * np.abs(beta).max())
    np.testing.assert_allclose(l, lam, atol=1e-8 * lam.max())
    Z = y[:, None] * X
    bad = dft_kkt_residuals(Z, b * (1 + 1e-6) + 1e-6 * np.abs(b).max(), l)
    assert max(bad.values()) > 1e-8


def test_dft_l1_infeasible_data_is_uncertified():
    X = np.array([[1.0, 0, 0, 0], [2.0, 0, 0, 0]])
    b, l, cert = dft_l1_max_margin(X, np.array([1.0, -1.0]))
    assert not cert.valid


def test_fourier_lp_kkt_at_the_l1_solution_and_off_it():
    X, y, beta, lam = dft_sparse_data(np.random.default_rng(4), 8, [1], 2)
    good = fourier_lp_kkt(X, y, beta, 1.0)
    assert good["residual"] < 1e-10 and good["lam"].min() >= 0
    Z = y[:, None] * X
    w_l2 = hard_margin_svm_dual(X, y)[0]
    assert fourier_lp_kkt(X, y, w_l2, 1.0)["residual"] > 1e-3
    assert fourier_lp_kkt(X, y, -beta, 1.0)["residual"] == np.inf


def test_crammer_singer_and_one_vs_rest():
    X, labels = multiclass_data(np.random.default_rng(5), 3, 4, [2, 2, 1])
    lab = labels.astype(int)
    W, a, cert = crammer_singer_svm(X, lab, 3)
    assert cert.valid and np.linalg.norm(W.sum(axis=0)) < 1e-10
    S = X @ W.T
    own = S[np.arange(len(X)), lab]
    assert np.min(own[:, None] - S + 10 * np.eye(3)[lab]) >= 1 - 1e-9
    V, c2 = one_vs_rest_svms(X, lab, 3)
    assert V.shape == W.shape and np.linalg.norm(V / np.linalg.norm(V) - W / np.linalg.norm(W)) > 1e-3
    Xbad = np.vstack([X, X[0]])
    lbad = np.r_[lab, (lab[0] + 1) % 3]
    assert not crammer_singer_svm(Xbad, lbad, 3)[2].valid


def test_margin_projection_is_gd_identity_and_rejects_wrong_levels():
    rng = np.random.default_rng(6)
    X, y, _ = separable_data(rng, 3, 5, 2, 0.6)  # m < d: the projection is not pinned by the constraints alone
    Z = y[:, None] * X
    w0 = rng.standard_normal(5)
    c = rng.uniform(0.5, 2.0, 3)
    wt = w0 + Z.T @ c  # any positive combination: the GD form
    w, lam, cert = margin_projection(X, y, w0, Z @ wt)
    assert cert.valid and np.linalg.norm(w - wt) < 1e-10 * np.linalg.norm(wt) and lam.min() >= 0
    w1, _, _ = l1_margin_projection(X, y, w0, Z @ wt)
    assert np.linalg.norm(w1 - wt) > 1e-3
    infeasible = margin_projection(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]), np.zeros(1), np.array([1.0, 1.0]))
    assert not infeasible[2].valid
    assert not l1_margin_projection(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]), np.zeros(1), np.array([1.0, 1.0]))[2].valid


def test_homogeneous_kkt_residual_at_and_off_a_kkt_point():
    rng = np.random.default_rng(7)
    X, y, w_hat = separable_data(rng, 5, 3, 2, 0.6)
    fun = deep_linear_model(X, y, 1, 2)
    # balanced rank-one net with end-to-end beta = w_hat: a KKT point of min ||theta||^2 s.t. q >= 1
    nb = np.linalg.norm(w_hat)
    th = np.r_[np.sqrt(nb) * w_hat / nb, np.sqrt(nb)]
    r = homogeneous_kkt_residual(3.0 * th, *fun(3.0 * th), 2)
    assert r["eps"] < 1e-10 and abs(r["delta"]) < 1e-10
    th2 = np.r_[np.sqrt(nb) * (w_hat / nb + 0.1), np.sqrt(nb)]
    assert homogeneous_kkt_residual(th2, *fun(th2), 2)["eps"] > 1e-3
    assert homogeneous_kkt_residual(-th, *fun(-th * np.r_[np.ones(3), -1]), 2)["eps"] == np.inf


@pytest.mark.parametrize("salt", ["a", "b", "c", "d", "e"])
def test_homogeneous_kkt_residual_resolves_a_1e6_random_perturbation(salt):
    """eps is first order in the distance to the KKT point (off the radial direction, which the
    rescaling to q_min = 1 removes): a 1e-6 relative move in a random direction gives eps ~ 2e-7 to
    2e-6 (measured over 10 directions on this instance; linear down to 1e-10), against ~3e-16 at the
    KKT point itself."""
    from theorems.resolution import moved

    rng = np.random.default_rng(7)
    X, y, w_hat = separable_data(rng, 5, 3, 2, 0.6)
    fun = deep_linear_model(X, y, 1, 2)
    nb = np.linalg.norm(w_hat)
    th = np.r_[np.sqrt(nb) * w_hat / nb, np.sqrt(nb)]
    assert homogeneous_kkt_residual(th, *fun(th), 2)["eps"] < 1e-13
    bad = moved(th, 1e-6, salt)
    assert homogeneous_kkt_residual(bad, *fun(bad), 2)["eps"] > 1e-8
