"""The independent certificates of the deeper family accept the right answer and reject wrong ones
(a 1e-6 relative perturbation, the wrong problem, dropped labels, a forgotten start)."""
import numpy as np

from solvers.certify import deeper as cert
from solvers.fourier_margin import dft_l1_max_margin
from solvers.multiclass_svm import crammer_singer_svm
from solvers.regularization_path import margin_projection
from solvers.svm import hard_margin_svm_dual
from theorems.resolution import moved
from theorems.strategies.deeper import dft_sparse_data, multiclass_data
from theorems.strategies.separable import separable_data


def test_l2_max_margin_certificate():
    X, y, w = separable_data(np.random.default_rng(0), 6, 3, 2, 0.6)
    raw = {"X": X, "y": y}
    assert cert.l2_max_margin(raw, {"w": w}).valid
    assert cert.l2_max_margin(raw, {"w": 5.0 * w}).valid  # a direction: any positive multiple
    assert not cert.l2_max_margin(raw, {"w": moved(w, 1e-6, "t")}).valid
    assert not cert.l2_max_margin({"X": X, "y": np.abs(y)}, {"w": w}).valid  # dropped labels
    assert not cert.l2_max_margin(raw, {"w": hard_margin_svm_dual(X[:-1], y[:-1])[0] + 1e-3}).valid


def test_dft_l1_certificate():
    X, y, beta, _ = dft_sparse_data(np.random.default_rng(1), 8, [1, 3], 2)
    raw = {"X": X, "y": y}
    assert cert.dft_l1_max_margin(raw, {"beta": beta}).valid
    assert cert.dft_l1_max_margin(raw, {"beta": dft_l1_max_margin(X, y)[0]}).valid
    assert not cert.dft_l1_max_margin(raw, {"beta": moved(beta, 1e-6, "d")}).valid
    assert not cert.dft_l1_max_margin(raw, {"beta": hard_margin_svm_dual(X, y)[0]}).valid  # the l2 SVM
    assert not cert.dft_l1_max_margin({"X": X, "y": np.abs(y)}, {"beta": beta}).valid


def test_crammer_singer_certificate():
    X, labels = multiclass_data(np.random.default_rng(2), 3, 4, [2, 1, 2])
    W, _, _ = crammer_singer_svm(X, labels.astype(int), 3)
    raw = {"X": X, "labels": labels}
    assert cert.crammer_singer(raw, {"W": W}).valid
    assert not cert.crammer_singer(raw, {"W": moved(W, 1e-6, "m")}).valid
    assert not cert.crammer_singer({"X": X, "labels": np.roll(labels, 1)}, {"W": W}).valid


def test_margin_projection_certificate():
    rng = np.random.default_rng(3)
    X, y, _ = separable_data(rng, 5, 3, 2, 0.6)
    Z = y[:, None] * X
    w0 = rng.standard_normal(3)
    ws, bs = [], []
    for t in range(3):
        wt = w0 + Z.T @ rng.uniform(0.5, 2.0, 5)
        ws.append(margin_projection(X, y, w0, Z @ wt)[0])
        bs.append(Z @ wt)
    raw = {"X": X, "y": y, "w0": w0}
    assert cert.margin_projections(raw, {"w": np.array(ws), "b": np.array(bs)}).valid
    assert not cert.margin_projections(raw, {"w": np.array([moved(w, 1e-6, "p") for w in ws]), "b": np.array(bs)}).valid
    assert not cert.margin_projections({**raw, "w0": np.zeros(3)}, {"w": np.array(ws), "b": np.array(bs)}).valid
