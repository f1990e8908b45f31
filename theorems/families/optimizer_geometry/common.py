"""Shared pieces of the optimizer-geometry family: constants, the certified Bregman projection
(memoized), the assumptions and fields the step-size and flow claims share, the figure instance."""
from __future__ import annotations

import numpy as np

from models.mirror_descent import potential_by_index
from solvers.bregman import bregman_projection

from ...contract import Assumption, Field
from ...memo import memo

U = np.finfo(float).eps / 2
FAMILY = "optimizer-geometry"
PAPER = "Gunasekar, Lee, Soudry, Srebro 2018a, 'Characterizing implicit bias in terms of optimization geometry' (ICML)"
CONVERGED_RTOL = 1e-11


def rel(a, b) -> float:
    return float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(b)), 1e-300)


@memo
def bregman(X, y, w0, k, p, b):
    """argmin D_psi(w, w0) s.t. Xw = y for potential_by_index(k, p, b), with its KKT certificate."""
    return bregman_projection(X, y, w0, potential_by_index(k, p, b))


def shapes(inst):
    m, d = inst["X"].shape
    if not m < d:
        return f"X is {m}x{d}, need m < d"
    if inst["y"].shape != (m,):
        return f"y has shape {inst['y'].shape}, need ({m},)"
    if inst["w0"].shape != (d,):
        return f"w0 has shape {inst['w0'].shape}, need ({d},)"
    return None


def full_row_rank(inst):
    s = np.linalg.svd(inst["X"], compute_uv=False)
    return None if s[-1] > s[0] * 1e-8 else f"rank-deficient X (sigma_min/sigma_max = {s[-1] / s[0]:.1e})"



def separable_potential_ok(inst):
    k = int(inst["potential"])
    if k not in (0, 2):
        return f"potential index {k} not in {{0 (negative entropy), 2 (hyperbolic entropy)}}"
    if k == 2 and not float(inst["b"]) > 0:
        return f"b = {inst['b']} not positive"
    if k == 0 and np.any(inst["w0"] <= 0):
        return "negative entropy needs w0 > 0"
    return None


def positive_reachable(inst):
    """For the negative entropy: y = Xw for some w > 0 (the LP max t s.t. Xw = y, w >= t has a
    positive optimum), else no limit exists in the domain."""
    if int(inst["potential"]) != 0:
        return None
    import scipy.optimize
    X, y = inst["X"], inst["y"]
    m, d = X.shape
    res = scipy.optimize.linprog(np.r_[np.zeros(d), -1.0], A_ub=np.hstack([-np.eye(d), np.ones((d, 1))]),
                                 b_ub=np.zeros(d), A_eq=np.hstack([X, np.zeros((m, 1))]), b_eq=y,
                                 bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
    return None if res.status == 0 and -res.fun > 0 else "y is not reachable by a strictly positive w (negative entropy)"


A_SHAPES = Assumption("shapes: X is m x d with m < d, y has m entries, w0 has d", shapes)
A_RANK = Assumption("X has full row rank", full_row_rank)
A_REACHABLE = Assumption("y reachable inside the potential's domain", positive_reachable)
F_POTENTIAL = Field("potential", 0, "0 negative entropy, 2 hyperbolic entropy", integer=True, default=2)
F_B = Field("b", 0, "scale of the hyperbolic entropy", default=1.0)


def showcase_instance(names: tuple[str, ...]) -> dict:
    """The family's figure instance: m = 3, d = 8, cond(X) = 2, w0 > 0, y = X u+ with u+ > 0 (so
    every potential applies), a sweep of 8 step fractions 0.1..0.8 (seeded)."""
    from ...strategies.matrices import conditioned_matrix

    rng = np.random.default_rng(1802)
    X = conditioned_matrix(rng, 3, 8, 2.0, 1.0)
    inst = {"X": X, "y": X @ np.exp(0.5 * rng.standard_normal(8)), "w0": np.exp(0.5 * rng.standard_normal(8)),
            "eta_fracs": np.round(np.linspace(0.1, 0.8, 8), 3), "norm": 0, "potential": 0, "b": 1.0,
            "beta": 0.5, "gamma": 0.0}
    return {k: inst[k] for k in names}

