"""Unit tests of solvers/svm.py: the certified hard-margin SVM and the l1 / l_inf max-margin LPs."""
import numpy as np
import pytest

from solvers.svm import hard_margin_svm, hard_margin_svm_dual, lp_max_margin, signed_data, svm_kkt_residuals, svm_margin
from theorems.strategies.separable import separable_data


@pytest.mark.parametrize("seed,m,d,k", [(0, 5, 3, 2), (1, 8, 5, 4), (2, 3, 2, 1), (3, 6, 4, 3)])
def test_svm_recovers_the_constructed_solution(seed, m, d, k):
    rng = np.random.default_rng(seed)
    X, y, w_known = separable_data(rng, m, d, k, gamma=0.5)
    w, a, cert = hard_margin_svm_dual(X, y)
    assert cert.valid, cert.residuals
    np.testing.assert_allclose(w, w_known, rtol=1e-8, atol=1e-10)
    assert int(np.sum(a > 0)) == k  # general position: exactly the constructed support vectors
    Z = signed_data(X, y)
    np.testing.assert_allclose(Z.T @ a, w, rtol=1e-10)  # stationarity
    assert np.min(Z @ w) >= 1 - 1e-10


def test_certificate_detects_a_wrong_solution():
    rng = np.random.default_rng(4)
    X, y, w_known = separable_data(rng, 6, 4, 2, gamma=0.7)
    w, a, cert = hard_margin_svm_dual(X, y)
    res = svm_kkt_residuals(signed_data(X, y), 1.1 * w, a)
    assert res["stationarity"] > 0.05 and res["duality_gap"] > 0.05


def test_non_separable_data_is_not_certified():
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    y = np.array([1.0, -1.0])
    w, cert = hard_margin_svm(X, y)
    assert not cert.valid


@pytest.mark.parametrize("p", [1, np.inf])
def test_lp_max_margin_is_feasible_and_beats_the_svm_in_its_norm(p):
    rng = np.random.default_rng(5)
    X, y, w2 = separable_data(rng, 7, 5, 3, gamma=0.5)
    w, cert = lp_max_margin(X, y, p)
    assert cert.valid, cert.residuals
    Z = signed_data(X, y)
    assert np.min(Z @ w) >= 1 - 1e-8
    assert np.linalg.norm(w, p) <= np.linalg.norm(w2, p) * (1 + 1e-8)
    assert svm_margin(X, y, w, p) >= svm_margin(X, y, w2, p) - 1e-8
