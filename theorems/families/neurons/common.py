"""Shared pieces of the neurons family: sources, the width-sweep order fit, field helpers."""
from __future__ import annotations

import numpy as np
import scipy.stats

from ...contract import Assumption, Field
from ...fitting import loglog_slope

FAMILY = "neurons"
JM = "Jin & Montufar 2023 (JMLR 24), 'Implicit bias of gradient descent for mean squared error regression with two-layer wide neural networks'"
JM_NOTE = "note 002 (Montufar, 'Implicit biases')"
SAVARESE = "Savarese, Evron, Soudry & Srebro 2019 (COLT), 'How do infinite width bounded norm networks look in function space?'"
VARDI = "Vardi & Shamir 2021 (COLT), 'Implicit regularization in ReLU networks with the square loss'"
DU = "Du, Hu & Lee 2018 (NeurIPS), 'Algorithmic regularization in learning deep homogeneous models: layers are automatically balanced'"
NYU = "note 003 (NYU 'Foundations of deep learning', ch. 7, 'Single neurons')"
ORDER_MARGIN = 0.1  # stated pre-asymptotic margin of the width-order fits (as for Theorem 5)


def slope_fit(widths, errs, order: float) -> dict:
    """Fit log err = p log n + c; gap |p - order| (+1 if the mean error did not shrink from the
    smallest to the largest width), tolerance t_0.999(dof) SE + ORDER_MARGIN."""
    widths = np.asarray(widths, dtype=float)
    errs = np.asarray(errs, dtype=float)
    f = loglog_slope(widths, errs)
    tq = float(scipy.stats.t.isf(0.001, f.dof))
    ws = np.unique(widths)
    mean = np.array([errs[widths == w].mean() for w in ws])
    shrinks = bool(mean[-1] < mean[0])
    return {"slope": f.slope, "se": f.se, "dof": f.dof, "tq": tq, "tol": tq * f.se + ORDER_MARGIN,
            "gap": abs(f.slope - order) + (0.0 if shrinks else 1.0), "shrinks": shrinks,
            "widths": ws, "mean": mean, "intercept": f.intercept}


def positive(*names):
    def test(inst):
        bad = [k for k in names if not float(inst[k]) > 0]
        return f"non-positive {', '.join(bad)}" if bad else None
    return test


def distinct_1d(inst, xname="x", yname="y", min_points=3):
    x, y = np.asarray(inst[xname], float), np.asarray(inst[yname], float)
    if x.ndim != 1 or x.shape != y.shape or x.size < min_points:
        return f"{xname}, {yname} must be 1-D of equal length >= {min_points}"
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return "non-finite data"
    if np.any(np.diff(np.sort(x)) <= 1e-9 * max(1.0, float(np.max(np.abs(x))))):
        return f"repeated knots: the inputs {xname} must be distinct"
    return None


def widths_ok(inst):
    w = np.asarray(inst["widths"], dtype=int)
    if w.size < 3 or np.any(w % 2) or np.any(w < 16) or int(inst["n_seeds"]) < 1:
        return "need >= 3 even widths >= 16 and n_seeds >= 1 (slope fit)"
    return None


A_DATA = Assumption("data: 1-D, distinct finite inputs (repeated knots are not a function)", distinct_1d)
A_WIDTHS = Assumption("a width sweep to fit an order", widths_ok)
A_START = Assumption("f(., theta_0) = 0 (zero-output or antisymmetric start)",
                     lambda i: None if int(i["start"]) in (0, 1) else "start must be 0 (zero) or 1 (antisymmetric)")
A_GAUSS = Assumption("Gaussian initialization scales positive", positive("sw", "sb"))

F_X = Field("x", 1, "training inputs x_j (distinct)")
F_Y = Field("y", 1, "training targets y_j")
F_SW = Field("sw", 0, "W ~ N(0, sw^2)", default=1.0)
F_SB = Field("sb", 0, "B ~ N(0, sb^2)", default=1.0)
F_START = Field("start", 0, "0: zero-output start (a = 0), 1: antisymmetric start", integer=True, default=1)
F_SEED = Field("seed", 0, "RNG seed of the initializations", integer=True, default=0)
F_NSEEDS = Field("n_seeds", 0, "independent initializations per width", integer=True, default=2)


def widths_field(default):
    return Field("widths", 1, "hidden widths n of the sweep", integer=True, default=np.array(default))


def gaussian_units(n: int, d: int, sw: float, sb: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n i.i.d. draws of W ~ N(0, sw^2 I_d), B ~ N(0, sb^2)."""
    return sw * rng.standard_normal((n, d)), sb * rng.standard_normal(n)
