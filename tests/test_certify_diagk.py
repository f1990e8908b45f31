"""The independent certificates of entry 10 accept the right answer and reject wrong ones."""
from __future__ import annotations

import numpy as np
import pytest

from solvers.certify.diagk import alpha_limit, l1_max_margin_pair, margin_q_alpha, tangent_interpolant, width_k_limit
from solvers.margin_lp import l1_max_margin
from solvers.q_alpha import argmin_q_alpha
from solvers.q_general import argmin_q_width_k
from solvers.q_margin import argmin_q_alpha_margin
from solvers.tangent_kernel import kernel_interpolant
from models.diag_net_width import gaussian_start
from models.lazy_net import antisymmetric_start
from theorems.resolution import moved
from theorems.strategies.diagk import separable_draw


def _width_raw():
    rng = np.random.default_rng(0)
    return {"X": rng.standard_normal((3, 6)), "y": rng.standard_normal(3), "k": 3, "sigma": 0.5, "seed": 11}


def test_width_certificate():
    raw = _width_raw()
    U0, V0 = gaussian_start(np.random.default_rng(11), 6, 3, 0.5)
    b = argmin_q_width_k(raw["X"], raw["y"], U0, V0)[0]
    assert width_k_limit(raw, {"beta": b}).valid
    assert not width_k_limit(raw, {"beta": moved(b, 1e-6)}).valid
    wrong_seed = dict(raw, seed=12)
    assert not width_k_limit(wrong_seed, {"beta": b}).valid  # a forgotten/other start
    b0 = argmin_q_alpha(raw["X"], raw["y"], 0.6)[0]
    assert alpha_limit(raw, {"beta": b0, "alpha_eff": 0.6}).valid
    assert not alpha_limit(raw, {"beta": b0, "alpha_eff": 0.6 * (1 + 1e-4)}).valid


def test_margin_certificate():
    X, y = separable_draw(np.random.default_rng(1), 4, 8)
    raw = {"X": X, "y": y, "alpha": 0.8}
    m = np.array([1.0, 1.5, 2.0, 0.7])
    b = argmin_q_alpha_margin(X, y, m, 0.8)[0]
    assert margin_q_alpha(raw, {"beta": b, "m": m}).valid
    assert not margin_q_alpha(raw, {"beta": moved(b, 1e-6), "m": m}).valid
    assert not margin_q_alpha(dict(raw, y=-y), {"beta": b, "m": m}).valid  # flipped labels
    assert not margin_q_alpha(dict(raw, alpha=0.9), {"beta": b, "m": m}).valid


def test_l1_certificate():
    X, y = separable_draw(np.random.default_rng(2), 4, 8)
    b, lam, _ = l1_max_margin(X, y)
    assert l1_max_margin_pair({"X": X, "y": y}, {"beta1": b, "lam": lam}).valid
    assert not l1_max_margin_pair({"X": X, "y": y}, {"beta1": b * (1 - 1e-6), "lam": lam}).valid
    assert not l1_max_margin_pair({"X": X, "y": y}, {"beta1": moved(b, 1e-3), "lam": lam}).valid


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_l1_certificate_rejects_a_1e6_random_perturbation(seed):
    """A 1e-6 relative move of beta_1 in a random direction breaks an active margin (Z beta >= 1 is tight on the
    support's constraints) or moves ||beta||_1 off 1^T lambda at first order: measured over 200 directions per
    seed, the worst residual is >= 4e-7 (> the tolerance 1e-7); at 1e-7 some directions pass (the finest size
    it resolves in every direction is ~2.5e-7 on these draws: residual ~0.4 r against an absolute 1e-7)."""
    X, y = separable_draw(np.random.default_rng(seed), 4, 8)
    b, lam, _ = l1_max_margin(X, y)
    raw = {"X": X, "y": y}
    assert l1_max_margin_pair(raw, {"beta1": b, "lam": lam}).valid
    for salt in ("a", "b", "c", "d", "e", "f"):
        assert not l1_max_margin_pair(raw, {"beta1": moved(b, 1e-6, salt), "lam": lam}).valid


def test_tangent_certificate():
    rng = np.random.default_rng(3)
    raw = {"X": rng.standard_normal((4, 2)), "y": rng.standard_normal(4), "width": 8, "seed": 5}
    a, W = antisymmetric_start(np.random.default_rng(5), 4, 2)
    Xt = rng.standard_normal((6, 2))
    f = kernel_interpolant(raw["X"], raw["y"], Xt, a, W)[0]
    assert tangent_interpolant(raw, {"f_test": f, "X_test": Xt}).valid
    assert not tangent_interpolant(raw, {"f_test": moved(f, 1e-6), "X_test": Xt}).valid
    assert not tangent_interpolant(dict(raw, seed=6), {"f_test": f, "X_test": Xt}).valid
