"""Shared pieces of the deeper-architecture claims: the remaining-motion allowance of a direction
followed in its loss level, field/assumption builders, and the certified references."""
from __future__ import annotations

import math

import numpy as np

from solvers.svm import hard_margin_svm_dual, lp_max_margin, signed_data

from ...contract import Assumption, Field
from ...memo import memo

U = np.finfo(float).eps / 2
SLACK = 1.5  # the premise test allows the last decade's motion to exceed the predicted decay by 50%


def unit_rows(V: np.ndarray) -> np.ndarray:
    V = np.asarray(V, float)
    return V / np.linalg.norm(V, axis=-1, keepdims=True)


def path_length(U_: np.ndarray) -> float:
    return float(np.sum(np.linalg.norm(np.diff(U_, axis=0), axis=1))) if len(U_) > 1 else 0.0


def remaining_motion(s: np.ndarray, directions: np.ndarray, mu: float) -> dict:
    """Allowance for what the unit direction still moves after the last checkpoint.

    Premise (derived per claim): past the transient the direction's distance to its limit decays
    like s^(-mu). Checkpoints are log-spaced in s; take the window of the last w intervals spanning
    about a decade (a factor R = s_end / s_{end-w} in s) and the w intervals before it (the same
    factor). Under the premise the path length shrinks by rho = R^(-mu) per window, so what is left
    after s_end is at most rho / (1 - rho) x the last window's path length. The premise is
    tested on the run (statement-independent: only the run's own directions enter): the last
    window's path length must be <= SLACK x rho x the previous window's, and the carry uses that
    worst admitted ratio, SLACK x rho."""
    s = np.asarray(s, float)
    lam = np.log(s)
    step = float(np.median(np.diff(lam[-5:])))
    w = max(1, int(round(math.log(10.0) / step)))
    if len(s) < 2 * w + 1:
        raise ValueError("too few checkpoints for two windows")
    m_last = path_length(directions[-w - 1:])
    m_prev = path_length(directions[-2 * w - 1:-w])
    rho = float((s[-1] / s[-1 - w]) ** (-mu))
    floor = 1e-13
    ok = m_last <= SLACK * rho * m_prev + floor
    # the carry assumes the slowest decay the premise test admits (SLACK rho per window): a sum of
    # several powers (the off-support frequencies of a conv net each decay at their own rate) can
    # decay faster over the last window than later on (found by the thorough profile: a depth-2 conv
    # run 4% over a carry with rho alone)
    rho_c = min(SLACK * rho, 0.99)
    # also returned: the window (w intervals, factor R in s) and s_window_start, where the two compared windows begin
    return {"carry": rho_c / (1.0 - rho_c) * m_last, "motion_last_window": m_last, "motion_prev_window": m_prev,
            "decay_per_window": m_last / max(m_prev, 1e-300), "predicted_decay": rho, "premise_ok": bool(ok),
            "window_factor": float(s[-1] / s[-1 - w]), "window_intervals": w, "s_window_start": float(s[-1 - 2 * w])}


@memo
def svm_reference(X: np.ndarray, y: np.ndarray):
    """(w_hat, a, certificate) of the l2 hard-margin SVM (cached)."""
    return hard_margin_svm_dual(X, y)


def l2_svm_limit(X, y):
    w, a, cert = svm_reference(X, y)
    return w, cert


@memo
def l1_max_margin_limit(X, y):
    return lp_max_margin(X, y, 1)


def svs_span(X, y) -> bool:
    """Do the active support vectors of the certified l2 SVM span R^d?"""
    w, a, _ = svm_reference(X, y)
    Z = signed_data(X, y)
    S = a > 0
    if not S.any():
        return False
    sv = np.linalg.svd(Z[S], compute_uv=False)
    return int(np.sum(sv > sv.max() * 1e-9)) == Z.shape[1]


# ---- assumptions / fields ------------------------------------------------------------------------

def labels_pm1(inst):
    y = np.asarray(inst["y"])
    if y.shape != (np.asarray(inst["X"]).shape[0],):
        return f"y has shape {list(y.shape)}, need ({np.asarray(inst['X']).shape[0]},)"
    bad = np.flatnonzero(np.abs(np.abs(y) - 1.0) > 0)
    return None if len(bad) == 0 else f"labels must be +1 or -1 (y[{bad[0]}] = {y[bad[0]]:g})"


def separable(inst):
    """Linearly separable: the hard-margin SVM (cvxpy/LDP) is feasible and certified."""
    if labels_pm1(inst):
        return "labels are not +-1"
    w, a, cert = svm_reference(np.asarray(inst["X"], float), np.asarray(inst["y"], float))
    if not np.all(np.isfinite(w)) or not cert.valid:
        return "the data are not linearly separable (the hard-margin SVM is infeasible or uncertified)"
    return None


A_LABELS = Assumption("binary labels y_n in {+1, -1}, one per row of X", labels_pm1)
A_SEPARABLE = Assumption("linearly separable data (certified hard-margin SVM)", separable)
F_X = Field("X", 2, "data, m x d (rows x_n)")
F_Y = Field("y", 1, "labels +-1, length m")


def in_range(name, lo, hi, integer=False):
    def test(inst):
        v = inst[name]
        return None if lo <= v <= hi and (not integer or float(v).is_integer()) else f"{name} = {v} not in [{lo}, {hi}]"
    return Assumption(f"{lo} <= {name} <= {hi}", test)


def finite_positive(x: float) -> float:
    return x if (math.isfinite(x) and x > 0) else math.inf
