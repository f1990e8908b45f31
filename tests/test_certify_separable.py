"""The independent certificates of solvers/certify/svm.py: right answers valid, wrong ones rejected
(a 1e-6 relative perturbation, dropped labels, the l2 answer for an l1 / l_inf problem, the
unprojected second level)."""
import numpy as np
import pytest

from solvers.certify.svm import degenerate_second_level, hard_margin_svm, l1_max_margin, linf_max_margin
from solvers.svm import degenerate_face, hard_margin_svm_dual, lp_max_margin, signed_data
from theorems.audit import shared_code
from theorems.resolution import moved
from theorems.strategies.separable import degenerate_separable_data, separable_data

CASES = [(0, 7, 4, 2), (3, 6, 4, 2), (2, 8, 5, 4), (4, 5, 2, 1)]  # k < d: the l1, l2, l_inf answers differ


@pytest.mark.parametrize("seed,m,d,k", CASES)
def test_svm_certificate_accepts_the_svm_and_rejects_wrong_answers(seed, m, d, k):
    X, y, w_known = separable_data(np.random.default_rng(seed), m, d, k, gamma=0.5)
    raw = {"X": X, "y": y}
    w, _, _ = hard_margin_svm_dual(X, y)
    ok = hard_margin_svm(raw, {"w": w})
    assert ok.valid, ok.to_json()
    assert hard_margin_svm(raw, {"w": w_known}).valid
    assert not hard_margin_svm(raw, {"w": moved(w, 1e-6)}).valid  # 1e-6 relative, random direction
    assert not hard_margin_svm(raw, {"w": (1 + 1e-6) * w}).valid  # feasible but not optimal
    assert not hard_margin_svm({"X": X, "y": np.ones_like(y)}, {"w": w}).valid  # dropped labels
    w_half, _, _ = hard_margin_svm_dual(X[:-2], y[:-2])  # the answer with two points dropped
    if not np.allclose(w_half, w):
        assert not hard_margin_svm(raw, {"w": w_half}).valid


@pytest.mark.parametrize("seed,m,d,k", CASES[:3])
@pytest.mark.parametrize("p,verify,other", [(1, l1_max_margin, np.inf), (np.inf, linf_max_margin, 1)])
def test_lp_certificates(seed, m, d, k, p, verify, other):
    X, y, w2 = separable_data(np.random.default_rng(seed), m, d, k, gamma=0.5)
    raw = {"X": X, "y": y}
    w, cert = lp_max_margin(X, y, p)
    assert cert.valid
    assert verify(raw, {"w": w}).valid, verify(raw, {"w": w}).to_json()
    assert not verify(raw, {"w": moved(w, 1e-6)}).valid
    assert not verify(raw, {"w": (1 + 1e-6) * w}).valid  # feasible, objective 1e-6 too large
    assert not verify(raw, {"w": w2}).valid  # the l2 answer for the l_p problem
    assert not verify(raw, {"w": lp_max_margin(X, y, other)[0]}).valid  # the other norm's answer
    assert not verify({"X": X, "y": -y}, {"w": w}).valid  # flipped labels


def test_lp_certificate_on_a_known_vertex():
    # one point z = (2, 1): argmin ||w||_1 s.t. 2 w1 + w2 >= 1 is (1/2, 0); argmin ||w||_inf is (1/3, 1/3)
    raw = {"X": np.array([[2.0, 1.0]]), "y": np.array([1.0])}
    assert l1_max_margin(raw, {"w": np.array([0.5, 0.0])}).valid
    assert not l1_max_margin(raw, {"w": np.array([0.4, 0.2])}).valid  # feasible, ||.||_1 = 0.6
    assert linf_max_margin(raw, {"w": np.array([1 / 3, 1 / 3])}).valid
    assert not linf_max_margin(raw, {"w": np.array([0.5, 0.0])}).valid  # feasible, ||.||_inf = 0.5


@pytest.mark.parametrize("seed,shape", list(enumerate([(2, 1, 1, 0, 0), (4, 2, 2, 1, 2), (5, 3, 1, 2, 3), (5, 1, 4, 0, 1)])))
def test_degenerate_second_level_certificate(seed, shape):
    X, y, w_hat, w_tilde, _, degenerate = degenerate_separable_data(np.random.default_rng(seed), *shape, 0.5, 0.7)
    raw = {"X": X, "y": y}
    F = degenerate_face(X, y)
    good = degenerate_second_level(raw, {"w_hat": F["w_hat"], "w_tilde": F["w_tilde"]})
    assert all(c.valid for c in good), [c.to_json() for c in good]
    assert all(c.valid for c in degenerate_second_level(raw, {"w_hat": w_hat, "w_tilde": w_tilde}))
    bad = degenerate_second_level(raw, {"w_hat": F["w_hat"], "w_tilde": moved(F["w_tilde"], 1e-6)})
    assert not all(c.valid for c in bad)
    Z = signed_data(X, y)
    unprojected, _, _ = hard_margin_svm_dual(Z[degenerate], np.ones(len(degenerate)))
    assert not all(c.valid for c in degenerate_second_level(raw, {"w_hat": F["w_hat"], "w_tilde": unprojected}))
    assert not all(c.valid for c in degenerate_second_level(raw, {"w_hat": F["w_hat"], "w_tilde": 2 * F["w_tilde"]}))
    assert not degenerate_second_level(raw, {"w_hat": moved(F["w_hat"], 1e-6), "w_tilde": F["w_tilde"]})[0].valid


def test_second_level_certificate_without_degenerate_points():
    X, y, _ = separable_data(np.random.default_rng(3), 6, 4, 2, gamma=0.5)
    w, _, _ = hard_margin_svm_dual(X, y)
    raw = {"X": X, "y": y}
    assert all(c.valid for c in degenerate_second_level(raw, {"w_hat": w, "w_tilde": np.zeros(4)}))
    assert not degenerate_second_level(raw, {"w_hat": w, "w_tilde": np.ones(4)})[1].valid


def test_certificates_share_no_code_with_solvers_or_models():
    for f in (hard_margin_svm, l1_max_margin, linf_max_margin, degenerate_second_level):
        assert shared_code(f) == [], shared_code(f)


# degenerate data from the claims' strategy on which SciPy's NNLS misses the minimizer of the LDP
# problem (see tests/test_separable_solvers.py): 1 active support vector, 2 zero-dual margin points
DEGENERATE_RAW = {"X": np.array([[-0.014186449077857143, -0.3469266481343082], [0.8090196046219406, 0.3144245035248998],
                                 [-0.36111309721216533, -0.3327401990564511]]), "y": np.array([1.0, -1.0, 1.0])}


def test_certificates_on_the_degenerate_data_set():
    X, y = DEGENERATE_RAW["X"], DEGENERATE_RAW["y"]
    z0 = y[0] * X[0]
    w_hat = z0 / (z0 @ z0)
    F = degenerate_face(X, y)
    assert all(c.valid for c in F["certificates"]), [c.to_json() for c in F["certificates"]]
    good = degenerate_second_level(DEGENERATE_RAW, {"w_hat": F["w_hat"], "w_tilde": F["w_tilde"]})
    assert all(c.valid for c in good), [c.to_json() for c in good]
    assert hard_margin_svm(DEGENERATE_RAW, {"w": w_hat}).valid
    # what the uncorrected LDP route returned: w = Z^T a for the non-minimizing NNLS point
    Z = signed_data(X, y)
    u = np.array([0.0, 0.23971043306529302, 0.6737025422401749])
    assert not hard_margin_svm(DEGENERATE_RAW, {"w": Z.T @ u / (1 - u.sum())}).valid
    assert not hard_margin_svm(DEGENERATE_RAW, {"w": moved(w_hat, 1e-6)}).valid
    assert not degenerate_second_level(DEGENERATE_RAW, {"w_hat": F["w_hat"], "w_tilde": moved(F["w_tilde"], 1e-6)})[1].valid


def test_certificate_nnls_falls_back_to_bvls(monkeypatch):
    """A non-minimizing (or failing) SciPy NNLS answer is replaced by BVLS: the certificate still
    accepts the right answer and still rejects a wrong one."""
    import scipy.optimize
    X, y, w_known = separable_data(np.random.default_rng(0), 7, 4, 2, gamma=0.5)
    raw = {"X": X, "y": y}
    monkeypatch.setattr(scipy.optimize, "nnls", lambda A, b, maxiter=None: (np.zeros(A.shape[1]), 0.0))
    assert hard_margin_svm(raw, {"w": w_known}).valid
    assert not hard_margin_svm(raw, {"w": (1 + 1e-6) * w_known}).valid

    def limit(A, b, maxiter=None):
        raise RuntimeError("Maximum number of iterations reached.")
    monkeypatch.setattr(scipy.optimize, "nnls", limit)
    assert hard_margin_svm(raw, {"w": w_known}).valid
    w1, _ = lp_max_margin(X, y, 1)
    assert l1_max_margin(raw, {"w": w1}).valid and not l1_max_margin(raw, {"w": moved(w1, 1e-6)}).valid
