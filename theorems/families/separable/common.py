"""Shared pieces of the separable-data claims: sources, instance fields and their defaults, the
assumptions, the normalization of instance files (duplicate signed points), the certified
references (memoized) and the far flow that continues a run to log(1/L) = 1e10.

Weights. The loss of a data set in which a signed point z = y x appears k times is the loss of
the data with that point once and weight k: sum_i c_i l(<z_i, w>). :func:`normalize` merges
duplicate signed points of an instance file into one point of weight = multiplicity (the loss,
hence every trajectory, is unchanged) and says so; the ``weight`` field (default 1 for every
point) carries the multiplicities to the dynamics. The max-margin references do not depend on
weights.
"""
from __future__ import annotations

import math

import numpy as np

from models.separable import exp_loss_flow_comoving, log_inverse_loss
from solvers.svm import degenerate_face, hard_margin_svm_dual, lp_max_margin, refine_long_double, signed_data

from ...contract import Assumption, Field
from ...memo import memo

SOURCE = ("Soudry, Hoffer, Nacson, Gunasekar, Srebro 2018 (JMLR), 'The implicit bias of gradient descent on separable "
          "data', Thm 3; Srebro, 'Implicit bias' lecture slides, notes 001 'Logistic Regression on Separable Data', "
          "002 'Theorem 3 (Soudry et al. 2018)', 003 ch. 7")
SD_SOURCE = ("Gunasekar, Lee, Soudry, Srebro 2018a, 'Characterizing implicit bias in terms of optimization geometry', "
             "Thm 5 (steepest descent); Srebro, 'Implicit bias' lecture slides, note 001 'Steepest Descent w.r.t. ||w||'")

FAR_S_END = 1e10  # log(1/L) at the far end of the flow: L = 10^(-4.3e9)
SNAP = 1e-12  # margin points of float64 data sit on the margin only to round-off (see models.separable)


# ---- instance fields and their defaults ------------------------------------------------------------

F_X = Field("X", 2, "data points as rows (m x d)")
F_Y = Field("y", 1, "labels +-1")
F_W0 = Field("w0", 1, "initialization (default 0: the origin, as in Soudry et al.'s experiments)", default=0.0)
F_WEIGHT = Field("weight", 1, "positive multiplicity of each point in the loss sum_i weight_i l(y_i <w, x_i>) (default 1 "
                 "for every point; a file's duplicate signed points are merged into one of weight = their count)",
                 default=1.0)
F_ETA = Field("eta_frac", 0, "step size as a fraction of 2/(beta_l sigma_max(Z)^2) (default 0.5)", default=0.5)
F_BETA = Field("beta", 0, "heavy-ball momentum of the momentum variants (default 0: they run as plain GD)", default=0.0)
F_BASE = (F_X, F_Y, F_W0, F_WEIGHT)
F_GD = F_BASE + (F_ETA, F_BETA)
GD_NAMES = ("X", "y", "w0", "eta_frac", "beta")


def weights_of(inst) -> np.ndarray | None:
    """The instance's weights as an (m,) array, or None when every point has weight 1."""
    c = inst.get("weight", 1.0)
    c = np.broadcast_to(np.asarray(c, float), (np.asarray(inst["X"]).shape[0],))
    return None if np.all(c == 1.0) else np.array(c)


def w0_of(inst) -> np.ndarray:
    return np.broadcast_to(np.asarray(inst.get("w0", 0.0), float), (np.asarray(inst["X"]).shape[1],)).copy()


def normalize(inst):
    """An instance file as a person writes it -> the form the checks use, and what was done.

    Defaults of shape-dependent fields are expanded (w0 = 0 -> zeros(d), weight = 1 -> ones(m)), and
    signed points y_i x_i that coincide (e.g. a data set with x and -x labelled +1 and -1, as in
    Soudry et al.'s Fig. 1) are merged into one point whose weight is the sum: the loss is unchanged."""
    said: list[str] = []
    X, y = np.asarray(inst["X"], float), np.asarray(inst["y"], float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        return inst, said  # the shape assumption reports it
    m, d = X.shape
    out = dict(inst)
    if np.ndim(out.get("w0", 0.0)) == 0:
        out["w0"] = np.full(d, float(out.get("w0", 0.0)))
    c = np.asarray(out.get("weight", 1.0), float)
    if c.ndim == 0:
        c = np.full(m, float(c))
    if c.shape != (m,):
        return out, said
    out["weight"] = c
    Z = y[:, None] * X
    _, first, inverse = np.unique(Z, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    if len(first) < m:
        keep = np.sort(first)
        groups = {int(k): np.flatnonzero(inverse == inverse[k]) for k in keep}
        merged = [g for g in groups.values() if len(g) > 1]
        out["X"], out["y"] = X[keep], y[keep]
        out["weight"] = np.array([c[groups[int(k)]].sum() for k in keep])
        desc = ", ".join("{" + ", ".join(str(int(i)) for i in g) + "}" for g in merged[:6])
        said.append(f"merged {m - len(keep)} duplicate signed point(s) y_i x_i (rows {desc}{' ...' if len(merged) > 6 else ''}) "
                    f"into one each with weight = multiplicity: the loss sum_i weight_i l(y_i <w, x_i>) is unchanged; "
                    f"{len(keep)} distinct points remain")
    return out, said


# ---- certified references (memoized: mutants and resolution rungs re-use them) ------------------

@memo
def svm_reference(X, y):
    """(w_hat, a, certificate, mu): the certified hard-margin SVM and its settling exponent
    mu = min(lambda_min^+(sum_S a_i z_i z_i^T), min_{i not in S} <z_i, w_hat> - 1)."""
    w, a, cert = hard_margin_svm_dual(X, y)
    Z = signed_data(X, y)
    S = a > 0
    if not np.all(np.isfinite(w)) or not S.any():
        return w, a, cert, 0.0
    M = (Z[S].T * a[S]) @ Z[S]
    ev = np.linalg.eigvalsh(M)
    lam = float(ev[ev > 1e-9 * ev.max()].min())
    marg = Z @ w
    delta = float(marg[~S].min() - 1.0) if (~S).any() else math.inf
    return w, a, cert, min(lam, delta)


@memo
def lp_reference(X, y, p):
    return lp_max_margin(X, y, p)


@memo
def face(X, y):
    """The certified two-level reference of degenerate data (:func:`solvers.svm.degenerate_face`)."""
    return degenerate_face(X, y)


def svm_of(inst):
    return svm_reference(inst["X"], inst["y"])


# ---- the far flow: a run continued to log(1/L) = 1e10 in the frame co-moving with w_hat -------------

@memo
def far_flow(Z, w_start, weights, frame_ld, loose=False):
    """The exponential-loss gradient flow from ``w_start`` followed to s = log(1/L) = FAR_S_END
    (:func:`models.separable.exp_loss_flow_comoving`, LSODA, frame = the long-double w_hat).
    ``loose``: the same at 10x the tolerances (rtol 1e-10), whose distance to the default run
    estimates the default run's ODE error from above (Radau at that accuracy needs ~1e5 steps on
    this stiff flow, LSODA ~1e3)."""
    kw = {"rtol": 1e-10, "atol": 1e-11} if loose else {}
    return exp_loss_flow_comoving(Z, w_start, FAR_S_END, frame_ld, snap=SNAP, weights=weights, **kw)


def frame_of(inst):
    """w_hat refined in long double on its active set (the co-moving frame)."""
    w, a, cert, mu = svm_of(inst)
    Z = signed_data(inst["X"], inst["y"])
    return refine_long_double(Z[a > 0], w)[0]


def chord_and_tan(R, S, f_ld, u):
    """For w = S f + R (rows; f in long double): (||w/||w|| - u||, tan angle(w, u)) computed without
    forming w, so that angles ~1e-12 at S ~ 1e10 keep their digits."""
    LD = np.longdouble
    u = np.asarray(u, float).astype(LD)
    u = u / np.sqrt(u @ u)
    W = np.asarray(R).astype(LD) + np.asarray(S).astype(LD)[:, None] * np.asarray(f_ld).astype(LD)[None, :]
    along = W @ u
    perp = W - along[:, None] * u[None, :]
    pn = np.sqrt(np.sum(perp * perp, axis=1))
    theta = np.arctan2(pn, along)
    return (2.0 * np.sin(theta / 2.0)).astype(float), (pn / along).astype(float)


# ---- assumptions ----------------------------------------------------------------------------------

def _shapes(inst):
    X, y = np.asarray(inst["X"]), np.asarray(inst["y"])
    if X.ndim != 2 or y.shape != (X.shape[0],):
        return f"X {X.shape}, y {y.shape}: need an m x d matrix and m labels"
    w0 = np.asarray(inst.get("w0", 0.0))
    if w0.ndim and w0.shape != (X.shape[1],):
        return f"w0 has shape {w0.shape}, need ({X.shape[1]},)"
    c = np.asarray(inst.get("weight", 1.0))
    if c.ndim and c.shape != (X.shape[0],):
        return f"weight has shape {c.shape}, need ({X.shape[0]},)"
    if not np.all(c > 0):
        return "weights must be positive"
    if not np.all(np.isin(y, (-1.0, 1.0))):
        return "labels must be +-1"
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(w0))):
        return "non-finite numbers"
    return None


def _separable(inst):
    if _shapes(inst):
        return "bad shapes"
    w, a, cert, mu = svm_of(inst)
    if not np.all(np.isfinite(w)):
        return "the hard-margin SVM is infeasible: data not linearly separable"
    return None


def _distinct(inst):
    if _shapes(inst):
        return "bad shapes"
    Z = signed_data(inst["X"], inst["y"])
    n = len(np.unique(Z, axis=0))
    return None if n == len(Z) else (f"{len(Z) - n} duplicate signed point(s) y_i x_i (an instance file gets them merged "
                                     f"into weights)")


def _general_position(inst):
    if _shapes(inst) or _separable(inst):
        return "not separable"
    w, a, cert, mu = svm_of(inst)
    Z = signed_data(inst["X"], inst["y"])
    S = a > 0
    if np.linalg.matrix_rank(Z[S]) < S.sum():
        return "support vectors linearly dependent"
    on = np.abs(Z @ w - 1.0) <= 1e-8
    if np.any(on & ~S):
        return "a margin point with zero dual (degenerate data: see gd-separable-degenerate-loglog)"
    return None


def _eta(inst):
    v = float(inst.get("eta_frac", 0.5))
    return None if 0.0 < v < 1.0 else f"eta_frac = {v} not in (0, 1)"


def _beta(inst):
    v = float(inst.get("beta", 0.0))
    return None if 0.0 <= v < 1.0 else f"beta = {v} not in [0, 1)"


A_SHAPES = Assumption("shapes: X m x d, y in {-1, +1}^m, w0 in R^d, positive weights, finite", _shapes)
A_SEP = Assumption("linearly separable (the hard-margin SVM is feasible)", _separable)
A_DISTINCT = Assumption("distinct signed points y_i x_i (duplicates are weights)", _distinct)
A_GP = Assumption("general position: independent support vectors, every margin point with a positive dual", _general_position)
A_ETA = Assumption("admissible step: eta = eta_frac * 2/(beta_l sigma_max(Z)^2), 0 < eta_frac < 1", _eta)
A_BETA = Assumption("momentum 0 <= beta < 1", _beta)


# ---- small helpers --------------------------------------------------------------------------------

def unit(v, p=2):
    return v / np.linalg.norm(v, p)


def vtv(R, ord=2):
    """Path length of a vector sequence (rows of R) in the given norm."""
    return float(np.sum(np.linalg.norm(np.diff(R, axis=0), ord=ord, axis=1))) if len(R) > 1 else 0.0


def thin(x, n=300):
    x = np.asarray(x)
    if len(x) <= n:
        return x
    return x[np.unique(np.linspace(0, len(x) - 1, n).astype(int))]


def loss_level(inst, w):
    return float(log_inverse_loss(signed_data(inst["X"], inst["y"]), w, weights_of(inst)))
