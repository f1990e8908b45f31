"""Minimum weight-decay cost of a 1-D infinite-width ReLU net that interpolates: closed form and an
LP over a knot dictionary, certified by LP duality.

Savarese, Evron, Soudry & Srebro 2019 (COLT), main theorem (notes 000/001 "Weight decay -> ..."):
for f(x) = sum_i a_i [w_i x + b_i]_+ + c with the biases b_i, c unregularized, the least cost
(1/2) sum_i (a_i^2 + w_i^2) of representing f (infinite width) is

    R(f) = max( int |f''|, |f'(-inf) + f'(+inf)| )

(by AM-GM the cost of a unit at its best rescaling is |a_i w_i|, its kink in f'). With a free
linear term u x (a skip connection) the second term disappears: R(f) = int |f''|.

Minimum over interpolants (derived). Sort the data, s_i = (y_{i+1} - y_i)/(x_{i+1} - x_i) the
data slopes, V = sum_i |s_{i+1} - s_i|, S = s_1 + s_{M-1}. Any interpolant has f' = s_i somewhere
in (x_i, x_{i+1}), so with L = f'(-inf), Rr = f'(+inf): int |f''| >= |s_1 - L| + V + |Rr - s_{M-1}|,
with equality for the linear spline with kinks at the data and end slopes L, Rr. Moving the end
slopes by a total delta <= |S| toward reducing |L + Rr| costs delta in the first term and gains
delta in the second, so

    R_min = min_delta max(V + delta, |S| - delta) = max(V, (V + |S|)/2),

attained by a linear spline whose outer slopes are moved by (|S| - V)/2 when |S| > V (so the
linear spline with linear extrapolation, cost max(V, |S|), is NOT a minimizer then); with the
free linear part R_min = V. Two points: R_min = |s| (one kink), not 2|s|.

LP (:func:`min_cost_lp`): f = c (+ u x) + sum_k alpha_k [x - t_k]_+ + beta_k [t_k - x]_+ over knots
t_k (the data points plus an optional grid), minimize sum |alpha_k| + |beta_k| s.t. f(x_j) = y_j
(HiGHS). Dual: max nu^T y s.t. |sum_j nu_j [x_j - t]_+| <= 1, |sum_j nu_j [t - x_j]_+| <= 1 for all
t, sum_j nu_j = 0 (and sum_j nu_j x_j = 0 with u free). Both functions of t are piecewise linear
with kinks at the data and constant beyond them, so checking the data points checks every t in R:
a feasible nu certifies nu^T y <= R(f) for every interpolant f of any width (weak duality).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize

from .certificate import Certificate


def data_slopes(x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    o = np.argsort(x)
    x, y = x[o], y[o]
    return x, y, np.diff(y) / np.diff(x)


def min_cost_closed_form(x, y, free_linear: bool = False) -> dict:
    """R_min, V and S of the module docstring."""
    _, _, s = data_slopes(x, y)
    V = float(np.sum(np.abs(np.diff(s))))
    S = float(s[0] + s[-1])
    value = V if free_linear else max(V, 0.5 * (V + abs(S)))
    return {"value": value, "V": V, "S": S}


def linear_spline_cost(x, y, free_linear: bool = False) -> float:
    """R of the linear spline with linear extrapolation: max(V, |S|) (V with a free linear part)."""
    d = min_cost_closed_form(x, y, free_linear=True)
    return d["V"] if free_linear else max(d["V"], abs(d["S"]))


@dataclass
class MinCostNet:
    """f = c + u x + sum_k alpha_k [x - t_k]_+ + beta_k [t_k - x]_+."""

    knots: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    c: float
    u: float

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        flat = x.reshape(-1)[:, None]
        out = np.maximum(flat - self.knots, 0.0) @ self.alpha + np.maximum(self.knots - flat, 0.0) @ self.beta
        return (out + self.c + self.u * flat[:, 0]).reshape(x.shape)

    @property
    def cost(self) -> float:
        return float(np.sum(np.abs(self.alpha)) + np.sum(np.abs(self.beta)))


def min_cost_lp(x, y, free_linear: bool = False, grid: int = 0) -> tuple[MinCostNet, np.ndarray, Certificate]:
    """The LP of the module docstring; returns (primal net, dual nu in sorted-data order, certificate:
    duality gap and dual infeasibility over all t, relative to R)."""
    x, y, _ = data_slopes(x, y)
    M = x.size
    knots = x.copy()
    if grid:
        span = x[-1] - x[0]
        knots = np.unique(np.concatenate([x, np.linspace(x[0] - span, x[-1] + span, grid)]))
    Kp = np.maximum(x[:, None] - knots, 0.0)
    Km = np.maximum(knots - x[:, None], 0.0)
    T = knots.size
    # variables: alpha+ alpha- beta+ beta- (>= 0), c (free), u (free if free_linear)
    A_eq = np.hstack([Kp, -Kp, Km, -Km, np.ones((M, 1))] + ([x[:, None]] if free_linear else []))
    nfree = 2 if free_linear else 1
    cost = np.concatenate([np.ones(4 * T), np.zeros(nfree)])
    bounds = [(0, None)] * (4 * T) + [(None, None)] * nfree
    res = scipy.optimize.linprog(cost, A_eq=A_eq, b_eq=y, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"min-cost LP failed: {res.message}")
    z = res.x
    net = MinCostNet(knots, z[:T] - z[T:2 * T], z[2 * T:3 * T] - z[3 * T:4 * T], float(z[4 * T]),
                     float(z[4 * T + 1]) if free_linear else 0.0)
    nu = np.asarray(res.eqlin.marginals, dtype=float)
    primal = net.cost
    dual = float(nu @ y)
    infeas = max(float(np.max(np.abs(nu @ np.maximum(x[:, None] - x, 0.0)))),
                 float(np.max(np.abs(nu @ np.maximum(x - x[:, None], 0.0))))) - 1.0
    scale = max(primal, 1e-300)
    resid = {"duality_gap": abs(primal - dual) / scale, "dual_infeasibility": max(infeas, 0.0),
             "sum_nu": abs(float(nu.sum())) * float(np.max(np.abs(x)) + 1.0),
             "interpolation": float(np.max(np.abs(net(x) - y))) / max(float(np.max(np.abs(y))), 1e-300)}
    if free_linear:
        resid["sum_nu_x"] = abs(float(nu @ x))
    return net, nu, Certificate("min-cost LP (HiGHS) with its dual, feasible on every knot t in R", resid, 1e-8)


__all__ = ["MinCostNet", "data_slopes", "linear_spline_cost", "min_cost_closed_form", "min_cost_lp"]
