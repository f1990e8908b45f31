"""Shared pieces of the mirror-descent family: memoized references and runs, the flow-limit error
bound, the local-slope order estimate, assumptions and fields.

Every reference solve and every run is wrapped in :func:`theorems.memo.memo` (keyed by the content
of its arguments): mutants, resolution rungs and the companion series of the figures re-use them,
and only the comparison with the statement is redone. Potentials are passed around as a *spec*
``(k, p, b)`` (0 negative entropy, 1 half squared p-norm, 2 hyperbolic entropy with scale b), so
equal specs share cache entries; :func:`potential` builds the model's object for a spec.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from models.mirror_descent import Potential, mirror_descent, potential_by_index, square_reparam_flow
from solvers.bregman import (bregman_projection, cvxpy_cross_check, nonneg_basis_pursuit_with_dual,
                             swapped_bregman_projection)
from solvers.certificate import Certificate
from solvers.min_norm import min_norm_interpolant, row_space_basis

from ...contract import Assumption, Field
from ...memo import memo

U = np.finfo(float).eps / 2
FAMILY = "mirror-descent"
SRC_MD = "Gunasekar et al. 2018a, Thm 2 (note 002 'Theorem 2', 'Mirror descent')"
SRC_SQ = ("notes 002 'Reparametrization and change of geometry', 003 'diagonal linear networks'; "
          "Gunasekar et al. 2018a; Woodworth et al. 2020")
MD_RTOL = 1e-13
FLOW_RTOL = 1e-11  # residual at which the flows stop (their noise floor is ~1e-12)
CACHE = 512  # memo entries per function: a thorough run of one claim keeps its instances' runs

Spec = tuple  # (k, p, b)


def rel(a, b) -> float:
    return float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(b)), 1e-300)


def as_certs(c) -> list[Certificate]:
    return list(c) if isinstance(c, (list, tuple)) else [c]


def spec_of(inst) -> Spec:
    return (int(inst["potential"]), float(inst.get("p", 1.5)), float(inst.get("b", 1.0)))


@memo(maxsize=16)
def potential(k: int, p: float = 1.5, b: float = 1.0) -> Potential:
    """The model's potential for a spec (one object per spec)."""
    return potential_by_index(k, p, b)


# ---- memoized references and runs ----------------------------------------------------------------

@memo(maxsize=CACHE)
def bregman_reference(X, y, w0, spec: Spec):
    """argmin D_phi(w, w0) s.t. Xw = y by dual Newton, with its KKT certificate."""
    return bregman_projection(X, y, w0, potential(*spec))


@memo(maxsize=CACHE)
def cvxpy_check(X, y, w0, spec: Spec, w) -> Certificate:
    """The independent cvxpy/Clarabel route's agreement with ``w``."""
    return cvxpy_cross_check(X, y, w0, potential(*spec), w)


@memo(maxsize=CACHE)
def swapped_reference(X, y, w0, spec: Spec):
    return swapped_bregman_projection(X, y, w0, potential(*spec))


@memo(maxsize=CACHE)
def min_norm_reference(X, y, w0):
    return min_norm_interpolant(X, y, w0)


@memo(maxsize=CACHE)
def lp_reference(X, y):
    """(u, certificate, reduced costs s = 1 - X^T nu, dual nu) of min 1^T u s.t. Xu = y, u >= 0 (HiGHS)."""
    return nonneg_basis_pursuit_with_dual(X, y)


def kl_projection(X, y, alpha):
    """KL projection of alpha 1: argmin sum u log(u/alpha) - u + alpha s.t. Xu = y (entropy potential)."""
    return bregman_reference(X, y, np.full(X.shape[1], float(alpha)), (0, 1.5, 1.0))


@memo(maxsize=CACHE)
def mirror_run(X, y, w0, spec: Spec, eta: float, max_iter: int = 200_000):
    return mirror_descent(X, y, w0, potential(*spec), eta, rtol=MD_RTOL, max_iter=max_iter)


@memo(maxsize=CACHE)
def flow_to_limit(X, y, alpha):
    """The square-reparametrization flow from sqrt(alpha) 1, stopped at relative residual FLOW_RTOL."""
    d = X.shape[1]
    return square_reparam_flow(X, y, np.full(d, math.sqrt(alpha)), 1e4, stop_rtol=FLOW_RTOL)


def flow_limit_error_terms(X, y, u, alpha) -> dict[str, float]:
    """A first-order bound on ||u_T - u_inf|| for a point u_T of the square-reparam flow, by term:
    2 ||D X^T (X D X^T)^{-1} r_T|| (distance to the interpolation set along the manifold
    alpha exp(row X), x 2 for the second-order term), ||D n|| (n = null-space part of log(u_T/alpha):
    the integrator's defect of the flow invariant log u - log alpha in row(X)), and 10 ulp."""
    D = np.diag(u)
    r = X @ u - y
    along = float(np.linalg.norm(D @ X.T @ np.linalg.solve(X @ D @ X.T, r)))
    _, N, _ = row_space_basis(X)
    n = N @ (N.T @ np.log(u / alpha))
    return {"distance to the interpolation set (x2)": 2.0 * along, "invariant defect": float(np.linalg.norm(u * n)),
            "10 ulp": 10.0 * U * float(np.linalg.norm(u))}


def flow_limit_error_bound(X, y, u, alpha) -> float:
    return float(sum(flow_limit_error_terms(X, y, u, alpha).values()))


# ---- asymptotic orders -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SlopeOrder:
    """The order of ds ~ xs^k from the local log-log slopes (see :func:`slope_order`)."""

    order: float
    extrapolation: float  # |Richardson tail|, taken as its own uncertainty
    noise: float  # 3 x the end-point errors propagated into the last slope
    slopes: np.ndarray
    ratio: float  # ratio of successive slope changes (r < 0.8 required)
    lstsq: float  # least-squares slope over all points, for the report
    lstsq_se: float

    @property
    def bound(self) -> float:
        return self.extrapolation + self.noise


def slope_order(xs, ds, errs) -> SlopeOrder:
    """The order of ds ~ xs^k along a geometric sequence xs -> 0, from the local log-log slopes.

    The local slopes k_i converge to k with geometrically shrinking changes (the next term of the
    expansion is a power of x); with r the ratio of the last two slope changes (the larger of the last
    two ratios, capped at 1), the Richardson estimate is k = k_last + c_last r/(1 - r). Its
    uncertainty is the whole extrapolation |c_last| r/(1 - r) (4 |c_last| when r >= 0.8) plus 3 x the
    effect of the absolute errors ``errs`` of the two last points on the last slope; when the last
    two slope changes are within that noise the slopes have settled and nothing is extrapolated."""
    lx, ld = np.log(xs), np.log(ds)
    slopes = np.diff(ld) / np.diff(lx)
    ch = np.diff(slopes)
    ratios = [abs(ch[i + 1] / ch[i]) for i in range(len(ch) - 1) if ch[i] != 0]
    r = min(max(ratios[-2:]), 1.0) if ratios else 1.0
    noise = (errs[-1] / ds[-1] + errs[-2] / ds[-2]) / abs(lx[-1] - lx[-2])
    if len(ch) >= 2 and max(abs(ch[-1]), abs(ch[-2])) <= 3.0 * noise:
        r, tail = 0.0, 0.0
    elif r < 0.8:
        tail = float(ch[-1]) * r / (1 - r)
    else:
        tail = float(ch[-1]) * 4.0
    A = np.vstack([lx, np.ones_like(lx)]).T
    coef = np.linalg.lstsq(A, ld, rcond=None)[0]
    s2 = float(np.sum((ld - A @ coef) ** 2)) / max(len(lx) - 2, 1)
    se = math.sqrt(s2 / float(np.sum((lx - lx.mean()) ** 2)))
    return SlopeOrder(float(slopes[-1]) + tail, abs(tail), float(3.0 * noise), slopes, r, float(coef[0]), se)


# ---- assumptions and fields ------------------------------------------------------------------------

def full_row_rank(inst):
    s = np.linalg.svd(inst["X"], compute_uv=False)
    return None if s[-1] > s[0] * 1e-8 else f"rank-deficient X (sigma ratio {s[-1] / s[0]:.1e})"


@memo(maxsize=CACHE)
def positively_reachable(X, y) -> bool:
    """Is there a w > 0 with Xw = y? The LP max t s.t. Xw = y, w >= t has a positive optimum."""
    m, d = X.shape
    res = scipy.optimize.linprog(np.r_[np.zeros(d), -1.0], A_ub=np.hstack([-np.eye(d), np.ones((d, 1))]),
                                 b_ub=np.zeros(d), A_eq=np.hstack([X, np.zeros((m, 1))]), b_eq=y,
                                 bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
    return bool(res.status == 0 and -res.fun > 0)


def bp_shapes(inst):
    m, d = inst["X"].shape
    if not m < d:
        return f"X is {m}x{d}, need m < d"
    return None if inst["y"].shape == (m,) else "y must have m entries"


def positive_reachable(inst):
    return None if positively_reachable(inst["X"], inst["y"]) else "y is not reachable by a strictly positive u"


def alpha_positive(inst):
    return None if float(inst["alpha"]) > 0 else "alpha must be positive"


SQ_ASSUMPTIONS = (
    Assumption("shapes, m < d", bp_shapes),
    Assumption("X has full row rank", full_row_rank),
    Assumption("y reachable by a strictly positive u (the flow from alpha 1 stays positive)", positive_reachable),
)
A_ALPHA = Assumption("alpha > 0", alpha_positive)
F_X = Field("X", 2, "design matrix, m x d, m < d")
F_Y = Field("y", 1, "targets, y = X u with u >= 0")
F_ALPHA = Field("alpha", 0, "initialization scale: u0 = w0∘w0 = alpha 1")
