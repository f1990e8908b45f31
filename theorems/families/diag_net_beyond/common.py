"""Shared pieces of the entry-10 family: sources, fields, assumptions."""
from __future__ import annotations

import math

import numpy as np
import scipy.optimize

from ...contract import Assumption, Field

FAMILY = "diag-net-beyond"
SRC_WIDTH = ("Woodworth et al. 2020, 'Kernel and rich regimes in overparametrized models', width section "
             "(note 004 'Width and Initialization Scale'); catalogue entry 10")
SRC_EXP = ("Moroshko, Gunasekar, Woodworth, Lee, Srebro, Soudry 2020, 'Implicit bias in deep linear classification: "
           "initialization scale vs training accuracy' (note 004 'For our model ... with logistic loss'); catalogue entry 10")
SRC_KERNEL = ("Chizat, Oyallon & Bach 2019, 'On lazy training in differentiable programming' (NeurIPS), Thm 2.4 (square "
              "loss: predictor within O(1/alpha) of the linearized model's, uniformly in time) and Prop. A.1 (off the "
              "training points) (note 004 'Kernel Regime and Scale of Init'); catalogue entry 10")


def richardson_order(local_orders, r: float):
    """Extrapolate local orders s_j = p + a x_j + b x_j^2 + ... (x_(j-1) = r x_j) to p.

    p_hat_j = (r s_j - s_(j-1)) / (r - 1) cancels the a x_j term; its remainder b' x_j^2 satisfies
    p_hat_(j-1) - p_hat_j = (r^2 - 1)(p_hat_j - p), so |p_hat_n - p_hat_(n-1)| / (r^2 - 1) estimates the remainder of
    p_hat_n (the previous difference / r^2 guards against an accidental cancellation at one level). Returns
    (p_hat_n, 3x that estimate as the allowance, all p_hat)."""
    s = np.asarray(local_orders, float)
    p_hat = (r * s[1:] - s[:-1]) / (r - 1.0)
    diff = abs(p_hat[-1] - p_hat[-2])
    if p_hat.size >= 3:
        diff = max(diff, abs(p_hat[-2] - p_hat[-3]) / r**2)
    return float(p_hat[-1]), float(3.0 * diff / (r * r - 1.0)), p_hat


def _shapes(inst):
    X, y = inst["X"], inst["y"]
    return None if y.shape == (X.shape[0],) else f"y has shape {y.shape}, need ({X.shape[0]},)"


def _underdetermined(inst):
    m, d = inst["X"].shape
    if m >= d:
        return f"X is {m}x{d}, need m < d"
    s = np.linalg.svd(inst["X"], compute_uv=False)
    return None if s[-1] > 1e-10 * s[0] else "X is rank-deficient"


def finite_positive(name):
    def test(inst):
        v = float(inst[name])
        return None if math.isfinite(v) and v > 0 else f"{name} = {v} must be > 0"
    return test


def _labels(inst):
    y = np.asarray(inst["y"])
    return None if np.all(np.abs(y) == 1) else "labels y must be +-1"


def _separable(inst):
    """Linearly separable iff the LP min 0 s.t. Z beta >= 1 is feasible (HiGHS)."""
    Z = np.asarray(inst["y"], float)[:, None] * np.asarray(inst["X"], float)
    res = scipy.optimize.linprog(np.zeros(Z.shape[1]), A_ub=-Z, b_ub=-np.ones(Z.shape[0]), bounds=(None, None),
                                 method="highs")
    return None if res.status == 0 else "the data are not linearly separable (no beta with y_n <x_n, beta> > 0 for all n)"


def _loss_index(inst):
    return None if int(inst.get("loss", 0)) in (0, 1) else f"loss = {inst['loss']} (0 exp, 1 logistic)"


A_SHAPES = Assumption("shapes: X is m x d, y has m entries", _shapes)
A_SYS = (A_SHAPES, Assumption("X is m x d with m < d and full row rank", _underdetermined))
F_SYS = (Field("X", 2, "design matrix m x d, m < d"), Field("y", 1, "targets, length m"))
A_CLASS = (A_SHAPES, Assumption("labels +-1", _labels), Assumption("separable data", _separable))
F_CLASS = (Field("X", 2, "inputs N x d (rows x_n)"), Field("y", 1, "labels +-1, length N"))
F_ALPHA = Field("alpha", 0, "initialization scale w+ = w- = alpha 1")
A_ALPHA = Assumption("alpha > 0 and finite", finite_positive("alpha"))
F_LOSS = Field("loss", 0, "0: exponential loss, 1: logistic loss", integer=True, default=0)
A_LOSS = Assumption("loss index in {0, 1}", _loss_index)
LOSSES = ("exp", "logistic")
