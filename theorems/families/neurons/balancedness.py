"""Balancedness of two-layer homogeneous nets (Du, Hu & Lee 2018; the one-hidden-layer property
Vardi & Shamir 2021 single out as characterisable).

f(x) = sum_j a_j sigma(<w_j, x>) with sigma(z) = max(z, s z) (s = 0: ReLU, 0 < s < 1: leaky ReLU;
a bias is the last input column), L = 1/2 sum_i (f(x_i) - y_i)^2. Because sigma(z) = sigma'(z) z,
<w_j, grad_{w_j} L> = a_j grad_{a_j} L, so along the gradient flow

    d/dt (||w_j||^2 - a_j^2) = -2 (<w_j, grad_{w_j} L> - a_j grad_{a_j} L) = 0      (per unit j).

GD with step eta changes it per step by exactly eta^2 (||grad_{w_j} L||^2 - (grad_{a_j} L)^2) (the
first-order terms cancel by the same identity), so over a horizon T = eta * steps the drift is
O(eta) (derived).

The check (``two-layer-balancedness``, an identity), on GD at eta = T/100 ... T/800 over the
horizon T: (1) the drift of the statement's invariant equals the derived sum of eta^2
(||g_w||^2 - g_a^2) over the steps to round-off (tolerance 64 u steps scale) -- an exact identity,
valid at the ReLU kink and when a pre-activation slides along it; the flow's conservation is its
eta -> 0 limit (the flow is not integrated directly: a pre-activation pinned at the kink makes
adaptive integrators chatter and fixed-step ones lose their order, so no integrator here would
give a certified tolerance); (2) the log-log slope of the drift at T against eta is 1 within
t_0.999 SE + 0.15 (stated margin). Gap = the larger part in units of its tolerance (tolerance 1).
"""
from __future__ import annotations

import time

import numpy as np
import scipy.stats

from models.wide_net import two_layer_gd

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...fitting import loglog_slope
from ...memo import memo
from ...strategies.neurons import balancedness_instances
from .common import DU, FAMILY, VARDI

U = np.finfo(float).eps / 2
GD_DIVISIONS = (100, 200, 400, 800)
GD_MARGIN = 0.15


def per_unit_invariant(a, W):
    """The statement: ||w_j||^2 - a_j^2 per unit."""
    return np.sum(W**2, axis=-1) - a**2


def sum_of_squares(a, W):
    return np.sum(W**2, axis=-1) + a**2


@memo
def _gd_trace(a0, W0, X, y, T, slope):
    k = GD_DIVISIONS[-1]
    return two_layer_gd(a0, W0, X, y, T / k, k, slope=slope, record_every=max(1, k // 100))


@memo
def _gd(a0, W0, X, y, T, slope):
    out = []
    for k in GD_DIVISIONS:
        out.append(two_layer_gd(a0, W0, X, y, T / k, k, slope=slope, record_every=k))
    return out


def check(inst, stmt) -> Evidence:
    a0, W0, X, y = (np.asarray(inst[k], float) for k in ("a0", "W0", "X", "y"))
    T = float(inst["T"])
    slope = float(stmt.get("slope_override", inst["slope"]))
    inv = stmt["invariant"]
    t0 = time.perf_counter()
    runs = _gd(a0, W0, X, y, T, slope)
    t1 = time.perf_counter()
    scale = float(np.max(np.sum(W0**2, axis=1) + a0**2))
    etas = np.array([T / k for k in GD_DIVISIONS])
    drifts, ident = [], 0.0
    for k, (a_T, W_T, rec, predicted) in zip(GD_DIVISIONS, runs):
        # the statement's invariant on the GD end state vs the derived per-step change of ||w_j||^2 - a_j^2
        d_meas = inv(a_T, W_T) - inv(a0, W0)
        ident = max(ident, float(np.max(np.abs(d_meas - predicted))) / (64.0 * U * k * scale))
        drifts.append(float(np.max(np.abs(d_meas))) / scale)
    drifts = np.maximum(np.array(drifts), 1e-300)
    parts = {"gd_identity": ident}
    # a net whose units are all inactive on the data never moves: zero drift is O(eta) trivially and
    # an order fit on round-off would be meaningless
    moving = float(np.max(drifts)) > 1e3 * 64.0 * U * GD_DIVISIONS[-1]
    fit = loglog_slope(etas, drifts if moving else etas)
    tq = float(scipy.stats.t.isf(0.001, fit.dof))
    slope_tol = tq * fit.se + GD_MARGIN
    if moving:
        parts["gd_order"] = abs(fit.slope - stmt["gd_order"]) / slope_tol
    a_f, W_f, rec_f, _ = _gd_trace(a0, W0, X, y, T, slope)
    fig = Figure("two-layer-balancedness", "Balancedness: drift of ||w_j||^2 - a_j^2 (max over units) along GD, and at the horizon vs eta",
                 "GD time (steps x eta), or the step eta", "max_j |I_j - I_j(0)| / scale",
                 (Series(f"GD, eta = T/{GD_DIVISIONS[-1]}: drift along the run", np.linspace(0, T, len(rec_f))[1:],
                         np.maximum(np.max(np.abs(rec_f - rec_f[0]), axis=1)[1:] / scale, 1e-17)),
                  Series(f"drift at the horizon T = {T:.2f} vs eta (fitted order {fit.slope:.2f})", etas, drifts, "scatter")),
                 xscale="log", yscale="log")
    return Evidence(
        gap=max(parts.values()), tolerance=1.0,
        tolerance_reason=("" if moving else "no unit active on the data, the net does not move (order part vacuous); ")
                         + f"max of: |GD order {fit.slope:.3f} - {stmt['gd_order']}| / (t_0.999 {tq:.1f} SE {fit.se:.3f} + "
                         f"{GD_MARGIN}); |drift of the invariant - sum eta^2 (|g_w|^2 - g_a^2)| / (64 u steps scale) = {ident:.2f}",
        timings={"dynamics": t1 - t0},
        figures=[fig],
        details={"moving": moving, "gd_order": fit.slope, "gd_order_se": fit.se,
                 "gd_drifts": drifts.tolist(), "gd_identity_ratio": ident, "parts": parts, "slope": slope})


RESOLUTION = Resolution(
    1e-8, "relative perturbation r of the coefficient of a_j^2 in the invariant (||w_j||^2 - (1 + r) a_j^2)",
    lambda stmt, r: {"invariant": lambda a, W: np.sum(W**2, axis=-1) - (1.0 + r) * a**2})

CLAIMS = (
    Claim(
        id="two-layer-balancedness",
        title="Two-layer homogeneous nets: ||w_j||^2 - a_j^2 is conserved per unit along the flow; GD drifts by O(eta)",
        statement="sigma(z) = max(z, s z): d/dt (||w_j||^2 - a_j^2) = 0 along the gradient flow of the square loss; GD changes "
                  "it by eta^2 (||g_w||^2 - g_a^2) per step, O(eta) over a fixed horizon",
        source=f"{DU}, Sec. 2 (per-unit / per-layer invariance under gradient flow); {VARDI} (balancedness as the characterisable property)",
        assumptions=(Assumption("shapes: X is M x d, y has M, a0 has n, W0 is n x d",
                                lambda i: None if (np.asarray(i["W0"]).ndim == 2 and np.asarray(i["W0"]).shape[1] == np.asarray(i["X"]).shape[1]
                                                   and np.asarray(i["a0"]).shape == (np.asarray(i["W0"]).shape[0],)
                                                   and np.asarray(i["y"]).shape == (np.asarray(i["X"]).shape[0],)) else "shape mismatch"),
                     Assumption("homogeneous activation: slope s in [0, 1)",
                                lambda i: None if 0.0 <= float(i["slope"]) < 1.0 else "slope must be in [0, 1) (ReLU or leaky ReLU)"),
                     Assumption("horizon T > 0", lambda i: None if float(i["T"]) > 0 else "T must be > 0")),
        fields=(Field("X", 2, "inputs (M x d; put a column of ones for a bias)"), Field("y", 1, "targets"),
                Field("a0", 1, "output weights at t = 0"), Field("W0", 2, "input weights at t = 0 (n x d)"),
                Field("slope", 0, "activation max(z, s z): 0 ReLU, (0, 1) leaky", default=0.0),
                Field("T", 0, "time horizon of the flow and of the GD runs", default=1.0)),
        strategy=balancedness_instances, check=check,
        params={"invariant": per_unit_invariant, "gd_order": 1.0},
        mutants=(Mutant("sum-of-squares", "||w_j||^2 + a_j^2 conserved", {"invariant": sum_of_squares}),
                 Mutant("factor-2", "||w_j||^2 - 2 a_j^2 conserved", {"invariant": lambda a, W: np.sum(W**2, axis=-1) - 2.0 * a**2}),
                 Mutant("gd-order-2", "GD drift O(eta^2) over a fixed horizon", {"gd_order": 2.0}),
                 Mutant("tanh", "the same invariant for tanh units (not homogeneous)", {"slope_override": -1.0})),
        kind="identity", family=FAMILY, resolution=RESOLUTION,
        examples={"quick": 6, "thorough": 40}, mutant_instances=3),
)
